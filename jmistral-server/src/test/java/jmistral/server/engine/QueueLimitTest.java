package jmistral.server.engine;

import jmistral.engine.EngineOptions;
import jmistral.server.JmistralServer;
import jmistral.server.ServerOptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/** A full queue is a 429 with Retry-After (SDKs retry it), never a hang or a 5xx. */
class QueueLimitTest {
    @Test
    void fullQueueIs429WithRetryAfter() throws Exception {
        SynthServer shared = SynthServer.get();
        try (ModelCompletionEngine engine = ModelCompletionEngine.load(
                     EngineOptions.of(shared.gguf).withModelId("one-place").withMaxParallel(1).withMaxQueue(0).withContextTokens(8192));
             JmistralServer server = new JmistralServer(ServerOptions.loopback(0).withApiKey(SynthServer.API_KEY), engine).start()) {
            String base = "http://127.0.0.1:" + server.port();
            String body = """
                    {"model":"m","messages":[{"role":"user","content":"%s"}],"max_tokens":6000,"stream":true}""";
            try (InputStream busy = Http.openStream(base, body.formatted("Keep the only place busy"))) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(Http.post(base, body.formatted("Me too")),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(429, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After header");
                assertTrue(r.body().contains("rate_limit_error"), r.body());
            }
        }
    }
}
