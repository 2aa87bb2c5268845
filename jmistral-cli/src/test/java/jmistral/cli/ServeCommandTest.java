package jmistral.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.PromptEncoder;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SamplingParams;
import jmistral.generate.SequenceRequest;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.SpecialTokenPolicy;
import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jmistral serve} run in-process on a tiny formula model with the real Tekken vocabulary: the port
 * reported through --port-file, /health 503 while loading then 200, /v1/models, the API key, one chat
 * completion (against a Generator called directly on the same file), and a clean stop on interrupt.
 */
@Timeout(120)
class ServeCommandTest {
    static final TextConfig TEXT = new TextConfig(64, 2, 32, 128, 2, 1, 1e-5, 1e9, 131072, 4096);
    static final String KEY = "sk-cli-test";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void servesUntilInterruptedAndLeavesNoThreads() throws Exception {
        Path gguf = dir.resolve("tiny.gguf");
        Synth.write(gguf, new Synth.Options(LoadedModel.Format.GGUF, TEXT, 3, true, GgmlType.F32, 0));
        Path portFile = dir.resolve("port");
        Set<Thread> before = liveThreads();

        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err, true));
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        AtomicInteger healthWhileLoading = new AtomicInteger();
        try (HttpClient http = HttpClient.newHttpClient()) {
            serve.beforeLoading = () -> {
                try {
                    healthWhileLoading.set(get(http, port(portFile), "/health", null).statusCode());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            AtomicInteger exit = new AtomicInteger(-1);
            Thread server = Thread.ofPlatform().name("serve-under-test").start(() -> exit.set(cl.execute(
                    "serve", "-m", gguf.toString(), "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.toString(),
                    "--api-key", KEY, "--parallel", "2", "--ctx", "1024")));

            int port = awaitHealthy(http, portFile, server, err);
            assertEquals(503, healthWhileLoading.get(), "/health while the model loads");
            assertTrue(err.toString().contains("http://127.0.0.1:" + port + "/v1"), err.toString());

            assertEquals(401, get(http, port, "/v1/models", null).statusCode());
            HttpResponse<String> models = get(http, port, "/v1/models", KEY);
            assertEquals(200, models.statusCode());
            assertEquals("tiny.gguf", JSON.readTree(models.body()).at("/data/0/id").asText(), models.body());

            String body = """
                    {"model":"tiny.gguf","messages":[{"role":"user","content":"Say hello to the server test."}],
                     "max_tokens":6,"temperature":0}""";
            assertEquals(401, post(http, port, body, null).statusCode());
            assertEquals(401, post(http, port, body, "sk-wrong").statusCode());
            HttpResponse<String> r = post(http, port, body, KEY);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = JSON.readTree(r.body());
            Expected expected = greedy(gguf, "Say hello to the server test.", 6);
            assertEquals("tiny.gguf", answer.get("model").asText());
            assertEquals(expected.text(), answer.at("/choices/0/message/content").asText(), r.body());
            assertEquals(expected.result().tokens().length, answer.at("/usage/completion_tokens").asInt());
            assertEquals(expected.result().usage().promptTokens(), answer.at("/usage/prompt_tokens").asInt());

            server.interrupt();
            server.join(30_000);
            assertFalse(server.isAlive(), "serve stopped on interrupt");
            assertEquals(0, exit.get(), err.toString());
            assertThrows(java.io.IOException.class, () -> get(http, port, "/health", null), "the port is closed");
        }
        assertNoThreadsLeft(before);
    }

    record Expected(GenerationResult result, String text) {}

    /** The greedy answer on the library path: v11 prompt, a Generator on the same file, Tekken decoding. */
    static Expected greedy(Path gguf, String user, int maxTokens) {
        try (LoadedModel m = ModelLoader.load(gguf); Generator g = new Generator(m.model(), 512, KvCacheType.F16)) {
            Tekken tekken = Tekken.fromGgufMetadata(m.ggufMetadata().orElseThrow());
            int[] prompt = new PromptEncoder(tekken).encode(ChatRequest.of(ChatMessage.User.text(user))).tokens();
            GenerationResult r = g.generate(SequenceRequest.of(prompt, SamplingParams.greedy().withMaxTokens(maxTokens)
                    .withStopTokenIds(tekken.eos())), null);
            return new Expected(r, tekken.decode(r.tokens(), SpecialTokenPolicy.IGNORE));
        }
    }

    static int port(Path portFile) throws Exception {
        return Integer.parseInt(Files.readString(portFile).trim());
    }

    /** Waits for /health to answer 200; the port file exists from the moment the port is open. */
    static int awaitHealthy(HttpClient http, Path portFile, Thread server, StringWriter err) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertTrue(server.isAlive(), "serve ended early: " + err);
            if (Files.exists(portFile) && !Files.readString(portFile).isBlank()) {
                int port = port(portFile);
                if (get(http, port, "/health", null).statusCode() == 200) return port;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the model did not become ready: " + err);
    }

    static HttpResponse<String> get(HttpClient http, int port, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient http, int port, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet();
    }

    /** No thread that would keep the JVM alive (non-daemon) and no scheduler is left from the server. */
    static void assertNoThreadsLeft(Set<Thread> before) throws InterruptedException {
        List<Thread> left = List.of();
        for (int i = 0; i < 250; i++) {
            left = liveThreads().stream().filter(t -> !before.contains(t) && t.isAlive())
                    .filter(t -> !t.isDaemon() || t.getName().startsWith("jmistral-scheduler")).toList();
            if (left.isEmpty()) return;
            Thread.sleep(20);
        }
        fail("threads left after serve stopped: " + left.stream().map(Thread::getName).collect(Collectors.joining(", ")));
    }
}
