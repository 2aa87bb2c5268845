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
    void modelOptionTakesATekkenJsonFile() {
        assertEquals(0, run("tokenize", "-m", TEKKEN.toString(), "Hello,", "world!"));
        assertEquals("22177 1044 4304 1033", out.toString().strip());
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

    @Test
    void hubRepoIdFromTheCache() throws Exception {
        // what `hf download org/Tok-GGUF Tok-Q4_K_M.gguf` leaves behind (a GGUF carrying the vocabulary), offline
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path repo = tmp.resolve("hub/models--org--Tok-GGUF");
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.createDirectories(repo.resolve("snapshots").resolve(commit));
        GgufWriter w = new GgufWriter();
        Tekken.fromTekkenJson(TEKKEN).writeGgufMetadata(w);
        w.write(repo.resolve("blobs/cafe"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Files.createSymbolicLink(repo.resolve("snapshots").resolve(commit).resolve("Tok-Q4_K_M.gguf"), Path.of("../../blobs/cafe"));
        HubSettings.config = () -> new jmistral.hub.HubConfig(tmp.resolve("hub"), "http://127.0.0.1:9", null, true);
        try {
            assertEquals(0, run("tokenize", "-m", "org/Tok-GGUF", "Hello,", "world!"));
            assertEquals("22177 1044 4304 1033", out.toString().strip());
            assertEquals(1, run("tokenize", "-m", "org/Missing-GGUF", "Hi"));
            assertTrue(err.toString().contains("offline"), err.toString());
        } finally {
            HubSettings.config = jmistral.hub.HubConfig::fromEnvironment;
        }
    }
}
