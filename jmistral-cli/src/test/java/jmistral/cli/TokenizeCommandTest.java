package jmistral.cli;

import jmistral.gguf.GgufWriter;
import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jmistral tokenize against mistral-common's ids (vectors from jmistral-core's test resources). */
class TokenizeCommandTest {
    static final Path DATA = Path.of("../jmistral-core/src/test/resources/data/mistral-small-3.2");
    static final Path TEKKEN = DATA.resolve("tekken_v11_synthesized.json");

    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void textWithTekkenJson() {
        assertEquals(0, run("tokenize", "--tekken", TEKKEN.toString(), "Hello,", "world!"));
        assertEquals("22177 1044 4304 1033", out.toString().strip());
    }

    @Test
    void chatFromModelFolderWithDefaultSystemPrompt() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("Tiny-Model"));
        Files.copy(TEKKEN, model.resolve("tekken.json"));
        Files.writeString(model.resolve("SYSTEM_PROMPT.txt"), "You are a helpful assistant.");
        Path chat = tmp.resolve("chat.json");
        Files.writeString(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"What is the capital of France?\"}]}");
        assertEquals(0, run("tokenize", "-m", model.toString(), "--chat", chat.toString()));
        // = the "system_user" vector of chat_vectors.json
        assertEquals("1 17 4568 1584 1261 20351 27089 1046 18 3 7493 1395 1278 8961 1307 5498 1063 4", out.toString().strip());
        out.getBuffer().setLength(0);
        assertEquals(0, run("tokenize", "-m", model.toString(), "--no-default-system-prompt", "--count", "--chat", chat.toString()));
        assertEquals("10", out.toString().strip());
    }

    @Test
    void ggufFileAndErrors() throws Exception {
        Path gguf = tmp.resolve("tok.gguf");
        GgufWriter w = new GgufWriter();
        Tekken.fromTekkenJson(TEKKEN).writeGgufMetadata(w);
        w.write(gguf);
        assertEquals(0, run("tokenize", "-m", gguf.toString(), "--pieces", "Hi!"));
        assertEquals("37133\tHi\n1033\t!", out.toString().strip().replace("\r", ""));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"messages\": [{\"role\": \"assistant\", \"content\": \"x\"}]}");
        assertEquals(1, run("tokenize", "--tekken", TEKKEN.toString(), "--chat", bad.toString()));
        assertTrue(err.toString().contains("messages[0]"), err.toString());
    }
}
