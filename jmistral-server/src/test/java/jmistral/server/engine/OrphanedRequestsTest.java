package jmistral.server.engine;

import jmistral.engine.EngineOptions;
import jmistral.server.JmistralServer;
import jmistral.server.Prometheus;
import jmistral.server.ServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Orphaned requests: a client that hangs up (while its answer is generated, streamed or not, or while it
 * waits for a batch place) has its request cancelled, and {@code /metrics} shows the batch place, the
 * queue place and the KV blocks free again within about a second, and the request counted as cancelled.
 * One batch place and no prefix cache, so an idle server holds no KV block at all.
 */
class OrphanedRequestsTest {
    /**
     * The server checks a waiting request's connection every 100 ms and the scheduler drops a cancelled
     * sequence at its next step (a few ms on this model): the release is expected within about 0.2 s; the
     * bound leaves room for a loaded 2-core machine.
     */
    static final Duration RELEASE_WITHIN = Duration.ofMillis(1500);
    /** Long enough never to end by itself during a test (the 1-layer model makes a token in milliseconds). */
    static final int LONG_ANSWER = 12000;

    static ModelCompletionEngine engine;
    static JmistralServer server;

    @BeforeAll
    static void start() {
        engine = ModelCompletionEngine.load(EngineOptions.of(SynthServer.get().gguf).withModelId("orphans")
                .withMaxParallel(1).withMaxQueue(4).withContextTokens(16384).withPrefixCacheEntries(0));
        server = new JmistralServer(ServerOptions.loopback(0).withApiKey(SynthServer.API_KEY), engine).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    /** Every generating endpoint, as the clients that call it send it. */
    enum Endpoint {
        CHAT("/v1/chat/completions", false, null),
        CHAT_STREAM("/v1/chat/completions", true, null),
        MISTRAL_STREAM("/v1/chat/completions", true, "mistral-client-python/1.9.3"),
        MISTRAL("/v1/chat/completions", false, "mistral-client-python/1.9.3"),
        RESPONSES("/v1/responses", false, null),
        RESPONSES_STREAM("/v1/responses", true, null);

        final String path;
        final boolean stream;
        final String userAgent;

        Endpoint(String path, boolean stream, String userAgent) {
            this.path = path;
            this.stream = stream;
            this.userAgent = userAgent;
        }

        /** A request that would generate for minutes (sampled, so no loop guard ends it). */
        String longRequest(String prompt) {
            return path.endsWith("responses")
                    ? """
                    {"model":"m","input":"%s","max_output_tokens":%d,"temperature":1,"stream":%b}""".formatted(prompt, LONG_ANSWER, stream)
                    : """
                    {"model":"m","messages":[{"role":"user","content":"%s"}],"max_tokens":%d,"temperature":1,"seed":3,"stream":%b}"""
                    .formatted(prompt, LONG_ANSWER, stream);
        }

        RawClient send(String prompt) throws Exception {
            return RawClient.post(server.port(), path, longRequest(prompt), userAgent);
        }
    }

    /** What /metrics says about places, blocks and cancellations. */
    record Snapshot(double running, double waiting, double kvBlocks, double inFlight, double cancelled) {
        static Snapshot read() throws Exception {
            String m = Http.get("http://127.0.0.1:" + server.port(), "/metrics");
            return new Snapshot(Prometheus.value(m, "jmistral_num_requests_running"),
                    Prometheus.value(m, "jmistral_num_requests_waiting"),
                    Prometheus.value(m, "jmistral_kv_cache_blocks_used"),
                    Prometheus.value(m, "jmistral_requests_running"),
                    Prometheus.value(m, "jmistral_requests_cancelled_total"));
        }

        boolean idle() {
            return running == 0 && waiting == 0 && kvBlocks == 0 && inFlight == 0;
        }
    }

    /** Polls /metrics until {@code until} holds; fails with the last reading after {@code within}. */
    static Snapshot await(String what, Duration within, Predicate<Snapshot> until) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Snapshot s = Snapshot.read();
        while (!until.test(s)) {
            if (System.nanoTime() > deadline) fail(what + " not within " + within.toMillis() + " ms: " + s);
            Thread.sleep(10);
            s = Snapshot.read();
        }
        return s;
    }

    /** Waits (generously) until the one batch place is generating tokens for a request. */
    static void awaitGenerating() throws Exception {
        long tokens = engine.schedulerMetrics().generatedTokens();
        await("a request generating", Duration.ofSeconds(30), s -> s.running() == 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (engine.schedulerMetrics().generatedTokens() < tokens + 3) {
            assertTrue(System.nanoTime() < deadline, "tokens are being generated");
            Thread.sleep(5);
        }
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void clientLeavingMidAnswerFreesItsPlaceAndBlocks(Endpoint endpoint) throws Exception {
        Snapshot before = await("an idle server", Duration.ofSeconds(30), Snapshot::idle);
        try (RawClient client = endpoint.send("Tell a story that never ends, " + endpoint)) {
            if (endpoint.stream) assertTrue(client.awaitLine("data: "), "the stream started");
            awaitGenerating();
            Snapshot during = Snapshot.read();
            assertEquals(1, during.running());
            assertTrue(during.kvBlocks() > 0, "the request holds KV blocks: " + during);
            assertEquals(1, during.inFlight());
        }   // hangs up
        long left = System.nanoTime();
        Snapshot after = await("place and KV blocks freed after the client left", RELEASE_WITHIN,
                s -> s.idle() && s.cancelled() == before.cancelled() + 1);
        System.out.printf("%s: freed %.0f ms after the client left (%s)%n", endpoint, (System.nanoTime() - left) / 1e6, after);
        assertEquals(0, engine.schedulerMetrics().running(), "no sequence left in the batch");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void clientLeavingWhileQueuedFreesItsQueuePlace(boolean stream) throws Exception {
        Snapshot before = await("an idle server", Duration.ofSeconds(30), Snapshot::idle);
        Endpoint waiter = stream ? Endpoint.CHAT_STREAM : Endpoint.CHAT;
        try (RawClient running = Endpoint.CHAT_STREAM.send("Hold the only batch place")) {
            assertTrue(running.awaitLine("data: "), "the first request runs");
            try (RawClient queued = waiter.send("Wait for a place, then give up")) {
                await("the second request queued", Duration.ofSeconds(30), s -> s.waiting() == 1 && s.inFlight() == 2);
            }   // hangs up while queued: nothing was ever written to it
            long left = System.nanoTime();
            Snapshot after = await("the queue place freed after the client left", RELEASE_WITHIN,
                    s -> s.waiting() == 0 && s.inFlight() == 1 && s.cancelled() == before.cancelled() + 1);
            System.out.printf("queued (stream %b): freed %.0f ms after the client left (%s)%n", stream, (System.nanoTime() - left) / 1e6, after);
            assertEquals(1, after.running(), "the running request goes on");
            assertTrue(after.kvBlocks() > 0, "and keeps its blocks");
            assertTrue(running.awaitLine("data: "), "and keeps streaming");
        }
        await("everything freed", RELEASE_WITHIN, s -> s.idle() && s.cancelled() == before.cancelled() + 2);
    }

    @Test
    void pipelinedRequestIsKeptWhileTheConnectionIsChecked() throws Exception {
        // the second request arrives while the first is generated (and its connection checked every 100 ms):
        // its bytes must reach Helidon intact, and the first must not count as abandoned
        Snapshot before = await("an idle server", Duration.ofSeconds(30), Snapshot::idle);
        String first = """
                {"model":"m","messages":[{"role":"user","content":"First, and long"}],"max_tokens":300,"temperature":1,"seed":9}""";
        String second = """
                {"model":"m","messages":[{"role":"user","content":"Second"}],"max_tokens":3,"temperature":0}""";
        try (RawClient client = RawClient.post(server.port(), "/v1/chat/completions", first, null)) {
            awaitGenerating();
            client.send("/v1/chat/completions", second, null);
            RawClient.Answer a = client.readAnswer();
            assertEquals(200, a.status(), a.body());
            assertEquals(300, Http.JSON.readTree(a.body()).at("/usage/completion_tokens").asInt(), a.body());
            RawClient.Answer b = client.readAnswer();
            assertEquals(200, b.status(), b.body());
            assertEquals(3, Http.JSON.readTree(b.body()).at("/usage/completion_tokens").asInt(), b.body());
        }
        assertEquals(before.cancelled(), Snapshot.read().cancelled(), "nothing was cancelled");
    }
}
