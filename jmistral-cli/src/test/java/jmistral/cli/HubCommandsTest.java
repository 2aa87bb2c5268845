package jmistral.cli;

import jmistral.hub.HubConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * pull / list / rm wired into Main, on a cache laid out as huggingface_hub lays it out (the download
 * flow itself is tested against a mock Hub in jmistral-core's HubPullTest).
 */
class HubCommandsTest {

    static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path home;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        HubSettings.config = () -> new HubConfig(home.resolve("hub"), "http://127.0.0.1:9", null, true);
        // what `hf download org/Tiny-GGUF Tiny-Q4_K_M.gguf mmproj-Tiny-F16.gguf` leaves behind
        Path repo = home.resolve("hub/models--org--Tiny-GGUF");
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.write(repo.resolve("blobs/aaaa"), new byte[3000]);
        Files.write(repo.resolve("blobs/bbbb"), new byte[500]);
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        Files.createSymbolicLink(repo.resolve("snapshots").resolve(COMMIT).resolve("Tiny-Q4_K_M.gguf"), Path.of("../../blobs/aaaa"));
        Files.createSymbolicLink(repo.resolve("snapshots").resolve(COMMIT).resolve("mmproj-Tiny-F16.gguf"), Path.of("../../blobs/bbbb"));
    }

    @AfterEach
    void tearDown() {
        HubSettings.config = HubConfig::fromEnvironment;
    }

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void listShowsCachedModelsWithSizes() {
        assertEquals(0, run("list"));
        String s = out.toString();
        assertTrue(s.contains("org/Tiny-GGUF") && s.contains("3.50 KB") && s.contains("Tiny-Q4_K_M.gguf, mmproj-Tiny-F16.gguf"), s);
    }

    @Test
    void offlinePullResolvesFromTheCacheOrSaysWhatIsMissing() {
        assertEquals(0, run("pull", "org/Tiny-GGUF", "--no-progress"));
        String s = out.toString();
        assertTrue(s.contains("model:  " + home.resolve("hub/models--org--Tiny-GGUF/snapshots/" + COMMIT + "/Tiny-Q4_K_M.gguf")), s);
        assertTrue(s.contains("mmproj: "), s);

        assertEquals(1, run("pull", "org/Other-GGUF"));
        assertTrue(err.toString().contains("error: offline mode (HF_HUB_OFFLINE=1)"), err.toString());
    }

    @Test
    void rmNeedsYesThenRemoves() {
        assertEquals(1, run("rm", "org/Tiny-GGUF"));
        assertTrue(err.toString().contains("--yes"), err.toString());
        assertTrue(Files.exists(home.resolve("hub/models--org--Tiny-GGUF")));

        assertEquals(0, run("rm", "org/Tiny-GGUF", "--yes"));
        assertFalse(Files.exists(home.resolve("hub/models--org--Tiny-GGUF")));
        assertTrue(out.toString().contains("removed org/Tiny-GGUF (3.54 KB freed)"), out.toString());

        assertEquals(1, run("rm", "org/Tiny-GGUF", "--yes"));
        assertTrue(err.toString().contains("not in the cache"), err.toString());
    }
}
