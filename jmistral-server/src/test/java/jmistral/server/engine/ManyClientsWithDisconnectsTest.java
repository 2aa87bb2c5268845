package jmistral.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.engine.EngineOptions;
import jmistral.server.JmistralServer;
import jmistral.server.Prometheus;
import jmistral.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 160 clients at once, half of them streaming, a quarter hanging up in the middle of an answer that would
 * otherwise run for minutes: every other client gets its whole answer, the same one it gets alone, none is
 * lost (a 429 with Retry-After is allowed only beyond the configured queue, which here holds everyone),
 * and once the orphans are cancelled the batch places, the queue and the KV blocks are all free again.
 */
class ManyClientsWithDisconnectsTest {
    static final int CLIENTS = 160;
    static final int PARALLEL = 8;
    static final int QUEUE = CLIENTS - PARALLEL;
    static final int ANSWER_TOKENS = 6;
    static final String[] PROMPTS = {"Name a harbour.", "Count to three.", "Say hello to the crew.", "Which way is north?"};

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What one client saw. */
    record Outcome(int status, boolean retryAfter, String content, String finishReason, int completionTokens, boolean done) {}

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyClientThatStaysGetsItsWholeAnswerAndOrphansFreeEverything() throws Exception {
        try (ModelCompletionEngine engine = ModelCompletionEngine.load(EngineOptions.of(SynthServer.get().gguf)
                     .withModelId("many").withMaxParallel(PARALLEL).withMaxQueue(QUEUE).withContextTokens(16384)
                     .withPrefixCacheEntries(0));
             JmistralServer server = new JmistralServer(ServerOptions.loopback(0).withApiKey(SynthServer.API_KEY), engine).start()) {
            String base = "http://127.0.0.1:" + server.port();
            // the yardstick: each prompt's answer alone
            List<Outcome> alone = new ArrayList<>();
            for (String p : PROMPTS) alone.add(blocking(base, p));
            for (Outcome o : alone) assertEquals(200, o.status());
            double cancelledBefore = Prometheus.value(Http.get(base, "/metrics"), "jmistral_requests_cancelled_total");

            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outcome>> stayed = new ArrayList<>();
            List<Future<Boolean>> left = new ArrayList<>();          // true: the request was accepted, then abandoned
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    int client = i;
                    String prompt = PROMPTS[i % PROMPTS.length];
                    boolean stream = (i / PROMPTS.length) % 2 == 0;
                    if (i % 4 == 3) {
                        left.add(clients.submit(() -> {
                            go.await();
                            return hangUpMidAnswer(server.port(), prompt, stream, client);
                        }));
                    } else {
                        stayed.add(clients.submit(() -> {
                            go.await();
                            return stream ? streamed(base, prompt) : blocking(base, prompt);
                        }));
                    }
                }
                go.countDown();

                int rejected = 0, answered = 0;
                for (int i = 0, s = 0; i < CLIENTS; i++) {
                    if (i % 4 == 3) continue;
                    Outcome o = stayed.get(s++).get();
                    if (o.status() == 429) {
                        assertTrue(o.retryAfter(), "a 429 says when to retry");
                        rejected++;
                        continue;
                    }
                    assertEquals(200, o.status(), "client " + i);
                    Outcome expected = alone.get(i % PROMPTS.length);
                    assertEquals(expected.content(), o.content(), "client " + i + " got the answer it gets alone");
                    assertEquals(expected.finishReason(), o.finishReason(), "client " + i);
                    assertTrue(o.done(), "client " + i + " got the whole answer");
                    if (o.completionTokens() >= 0) assertEquals(expected.completionTokens(), o.completionTokens(), "client " + i);
                    answered++;
                }
                int abandoned = 0;
                for (Future<Boolean> f : left) {
                    if (f.get()) abandoned++;
                    else rejected++;
                }
                assertTrue(rejected <= CLIENTS - (PARALLEL + QUEUE), rejected + " refused although the queue holds everyone");
                assertEquals(CLIENTS, answered + abandoned + rejected);

                // every orphan cancelled and counted; every place and block free again
                double expectedCancelled = cancelledBefore + abandoned;
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                String m = Http.get(base, "/metrics");
                while (!(idle(m) && Prometheus.value(m, "jmistral_requests_cancelled_total") == expectedCancelled)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    m = Http.get(base, "/metrics");
                }
                assertTrue(idle(m), "places, queue and KV blocks all free:\n" + m);
                assertEquals(expectedCancelled, Prometheus.value(m, "jmistral_requests_cancelled_total"), "each orphan counted once");
                assertEquals(0, engine.schedulerMetrics().kvBlocksUsed());
                System.out.printf("%d answered, %d abandoned, %d refused%n", answered, abandoned, rejected);
            }
        }
    }

    private static boolean idle(String metrics) {
        return Prometheus.value(metrics, "jmistral_num_requests_running") == 0
                && Prometheus.value(metrics, "jmistral_num_requests_waiting") == 0
                && Prometheus.value(metrics, "jmistral_kv_cache_blocks_used") == 0
                && Prometheus.value(metrics, "jmistral_requests_running") == 0;
    }

    private static String body(String prompt, int maxTokens, double temperature, boolean stream) {
        return """
                {"model":"m","messages":[{"role":"user","content":"%s"}],"max_tokens":%d,"temperature":%s,"seed":1,"stream":%b}"""
                .formatted(prompt, maxTokens, temperature, stream);
    }

    private Outcome blocking(String base, String prompt) throws Exception {
        HttpResponse<String> r = http.send(Http.post(base, body(prompt, ANSWER_TOKENS, 0, false)), HttpResponse.BodyHandlers.ofString());
        boolean retry = r.headers().firstValue("Retry-After").isPresent();
        if (r.statusCode() != 200) return new Outcome(r.statusCode(), retry, r.body(), null, -1, false);
        JsonNode b = Http.JSON.readTree(r.body());
        return new Outcome(200, retry, b.at("/choices/0/message/content").asText(), b.at("/choices/0/finish_reason").asText(),
                b.at("/usage/completion_tokens").asInt(), true);
    }

    private Outcome streamed(String base, String prompt) throws Exception {
        HttpResponse<InputStream> r = http.send(Http.post(base, body(prompt, ANSWER_TOKENS, 0, true)), HttpResponse.BodyHandlers.ofInputStream());
        boolean retry = r.headers().firstValue("Retry-After").isPresent();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) return new Outcome(r.statusCode(), retry, in.readLine(), null, -1, false);
            StringBuilder text = new StringBuilder();
            String finish = null;
            boolean done = false;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("data: [DONE]")) done = true;
                if (!line.startsWith("data: {")) continue;
                JsonNode chunk = Http.JSON.readTree(line.substring(6));
                assertFalse(chunk.has("error"), line);
                for (JsonNode c : chunk.path("choices")) {
                    if (c.path("delta").path("content").isTextual()) text.append(c.path("delta").path("content").asText());
                    if (c.path("finish_reason").isTextual()) finish = c.path("finish_reason").asText();
                }
            }
            return new Outcome(200, retry, text.toString(), finish, -1, done);
        }
    }

    /**
     * Asks for an answer of minutes and hangs up in the middle of it: a stream after its first token, a
     * blocking request after a while (it may still be waiting for a place, or generating). False when the
     * request was refused at once instead (a 429 arrived before the hang-up).
     */
    private static boolean hangUpMidAnswer(int port, String prompt, boolean stream, int client) throws Exception {
        try (RawClient c = RawClient.post(port, "/v1/chat/completions", body(prompt + " Go on forever.", 12000, 1, stream), null)) {
            if (stream) return c.awaitLine("data: ");
            Thread.sleep(50 + 10L * (client % 20));
            return !c.answered();
        }
    }
}
