package jmistral.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class HashesAndProgressTest {

    @TempDir
    Path tmp;

    @Test
    void hashesMatchGitAndSha256sum() throws IOException {
        Path f = tmp.resolve("hello");
        Files.writeString(f, "hello\n", StandardCharsets.UTF_8);
        // `printf 'hello\n' | git hash-object --stdin` and `sha256sum`
        assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", Hashes.gitBlobSha1(f));
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", Hashes.sha256(f));
    }

    @Test
    void progressLineShowsBytesSpeedAndEta() {
        // 6 GB of 14.33 GB done, 3 GB of them in 30 s this session: 100 MB/s, 83 s to go
        String line = ProgressBar.line("model.gguf", 6_000_000_000L, 14_330_000_000L, 3_000_000_000L, 30_000_000_000L);
        assertTrue(line.startsWith("model.gguf   41% [==========>"), line);
        assertTrue(line.contains("6.00 GB / 14.33 GB"), line);
        assertTrue(line.contains("100.00 MB/s"), line);
        assertTrue(line.endsWith("ETA 1m23s"), line);
        assertEquals("999 B", ProgressBar.bytes(999));
        assertEquals("1.50 KB", ProgressBar.bytes(1500));
        assertEquals("2h05m", ProgressBar.duration(7500));
    }

    @Test
    void barDrawsOnTheGivenStream() {
        var buf = new ByteArrayOutputStream();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), () -> now[0]);
        bar.start("f.gguf", 1000, 0);
        now[0] = 1_000_000_000L;
        bar.advance(500);
        bar.finish();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\rf.gguf   50% ") && out.contains("500 B/s") && out.endsWith("\n"), out);
    }
}
