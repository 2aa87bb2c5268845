package jmistral.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The HTTP layer's wire format against OpenAI's conventions, with a stand-in engine. */
class HttpApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static EchoEngine engine;
    static JmistralServer server;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() {
        engine = new EchoEngine();
        server = new JmistralServer(new ServerOptions("127.0.0.1", 0, "sk-test", 4096), engine).start();
        base = "http://127.0.0.1:" + server.port();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer sk-test").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void plainCompletionHasOpenAiShape() throws Exception {
        var r = post("/v1/chat/completions", """
                {"model":"m","messages":[{"role":"user","content":"hello big world"}],"unknown_field":1}""", "sk-test");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("chat.completion", b.get("object").asText());
        assertTrue(b.get("id").asText().startsWith("chatcmpl-"));
        assertTrue(b.get("created").asLong() > 1_600_000_000L);
        assertEquals("m", b.get("model").asText());
        JsonNode choice = b.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("hello big world", choice.get("message").get("content").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(6, b.get("usage").get("prompt_tokens").asInt());
        assertEquals(3, b.get("usage").get("completion_tokens").asInt());
        assertEquals(9, b.get("usage").get("total_tokens").asInt());
    }

    @Test
    void maxTokensGivesLength() throws Exception {
        var r = post("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"a b c d"}],"max_completion_tokens":2}""", "sk-test");
        JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
        assertEquals("a b", choice.get("message").get("content").asText());
        assertEquals("length", choice.get("finish_reason").asText());
    }

    @Test
    void streamingSendsRoleOnceThenDeltasUsageAndDone() throws Exception {
        var r = post("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"one two three"}],"stream":true,"stream_options":{"include_usage":true}}""", "sk-test");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> data = new ArrayList<>();
        for (String line : r.body().split("\n")) if (line.startsWith("data: ")) data.add(line.substring(6));
        assertEquals("[DONE]", data.getLast());
        StringBuilder text = new StringBuilder();
        int roles = 0;
        String finish = null;
        JsonNode usage = null;
        String id = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = JSON.readTree(d);
            assertEquals("chat.completion.chunk", c.get("object").asText());
            if (id == null) id = c.get("id").asText();
            assertEquals(id, c.get("id").asText(), "one id for all chunks");
            if (c.get("choices").isEmpty()) {
                usage = c.get("usage");
                continue;
            }
            assertTrue(c.get("usage").isNull(), "usage is null on choice chunks when include_usage");
            JsonNode delta = c.get("choices").get(0).get("delta");
            if (delta.has("role")) roles++;
            if (delta.has("content")) text.append(delta.get("content").asText());
            if (!c.get("choices").get(0).get("finish_reason").isNull()) finish = c.get("choices").get(0).get("finish_reason").asText();
        }
        assertEquals(1, roles);
        assertEquals("one two three", text.toString());
        assertEquals("stop", finish);
        assertNotNull(usage);
        assertEquals(3, usage.get("completion_tokens").asInt());
    }

    @Test
    void forcedToolCallStreamsIdAndNameOnceThenArguments() throws Exception {
        String tools = """
                "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]""";
        var r = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + tools
                + ",\"tool_choice\":\"required\",\"stream\":true}", "sk-test");
        String id = null, name = null, finish = null;
        StringBuilder args = new StringBuilder();
        int idCount = 0;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: {")) continue;
            JsonNode ch = JSON.readTree(line.substring(6)).get("choices").get(0);
            JsonNode calls = ch.get("delta").get("tool_calls");
            if (calls != null) {
                JsonNode call = calls.get(0);
                assertEquals(0, call.get("index").asInt());
                if (call.has("id")) { id = call.get("id").asText(); idCount++; }
                if (call.get("function").has("name")) name = call.get("function").get("name").asText();
                args.append(call.get("function").get("arguments").asText());
            }
            if (!ch.get("finish_reason").isNull()) finish = ch.get("finish_reason").asText();
        }
        assertEquals(1, idCount);
        assertEquals(9, id.length());
        assertEquals("lookup", name);
        assertEquals("x", JSON.readTree(args.toString()).get("city").asText());
        assertEquals("tool_calls", finish);

        var plain = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"y\"}]," + tools
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}}", "sk-test");
        JsonNode msg = JSON.readTree(plain.body()).get("choices").get(0).get("message");
        assertTrue(msg.get("content").isNull());
        assertEquals("lookup", msg.get("tool_calls").get(0).get("function").get("name").asText());
        assertEquals("{\"city\": \"y\"}", msg.get("tool_calls").get(0).get("function").get("arguments").asText());
    }

    @Test
    void errorsHaveOpenAiShapeAndStatus() throws Exception {
        assertError(post("/v1/chat/completions", "{not json", "sk-test"), 400, null);
        assertError(post("/v1/chat/completions", "{\"messages\":[]}", "sk-test"), 400, "messages");
        assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "sk-test"), 400, "messages[0].role");
        assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":5}", "sk-test"), 400, "temperature");
        assertError(post("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"a"}}],
                 "tool_choice":{"type":"function","function":{"name":"b"}}}""", "sk-test"), 400, "tool_choice");
        assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", null), 401, null);
        assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "wrong"), 401, null);
        assertError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}", "sk-test"), 413, null);
        var overflow = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"OVERFLOW\"}]}", "sk-test");
        assertError(overflow, 400, "messages");
        assertTrue(overflow.body().contains("5000") && overflow.body().contains("4096"), overflow.body());
        assertEquals("context_length_exceeded", JSON.readTree(overflow.body()).get("error").get("code").asText());
        assertEquals(404, get("/v1/nothing").statusCode());
    }

    static void assertError(HttpResponse<String> r, int status, String param) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode err = JSON.readTree(r.body()).get("error");
        assertNotNull(err, r.body());
        assertFalse(err.get("message").asText().isBlank());
        assertFalse(err.get("type").asText().isBlank());
        if (param != null) assertEquals(param, err.get("param").asText());
    }

    @Test
    void modelsHealthAndMetrics() throws Exception {
        JsonNode models = JSON.readTree(get("/v1/models").body());
        assertEquals("list", models.get("object").asText());
        assertEquals("echo-model", models.get("data").get(0).get("id").asText());
        assertEquals("model", models.get("data").get(0).get("object").asText());
        assertEquals(200, get("/v1/models/echo-model").statusCode());
        assertEquals(404, get("/v1/models/other").statusCode());
        assertEquals(200, get("/health").statusCode());
        engine.ready = false;
        try {
            var h = get("/health");
            assertEquals(503, h.statusCode());
            assertTrue(h.headers().firstValue("retry-after").isPresent());
        } finally {
            engine.ready = true;
        }
        post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"m e t\"}]}", "sk-test");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("jmistral_requests_total"), metrics);
        assertTrue(metrics.contains("jmistral_generation_tokens_total"));
        assertTrue(metrics.contains("jmistral_time_to_first_token"));
        assertTrue(metrics.contains("jmistral_queue_depth"));
        assertTrue(metrics.contains("jmistral_kv_cache_usage_ratio"));
    }

    @Test
    void schedulerCountersAppearUnderVllmLikeNames() throws Exception {
        engine.scheduler = null;   // loading: the scheduler's metrics read 0
        assertEquals(0, Prometheus.value(get("/metrics").body(), "jmistral_prefix_cache_hits_total"));
        //                                    waiting running blocks used entries finished prompt cached generated forwarded steps preemptions drafted accepted
        engine.scheduler = new jmistral.generate.SchedulerMetrics(3, 5, 1024, 77, 2, 9, 640, 400, 90, 330, 40, 6, 120, 51);
        try {
            String m = get("/metrics").body();
            assertEquals(5, Prometheus.value(m, "jmistral_num_requests_running"), m);
            assertEquals(3, Prometheus.value(m, "jmistral_num_requests_waiting"));
            assertEquals(77, Prometheus.value(m, "jmistral_kv_cache_blocks_used"));
            assertEquals(1024, Prometheus.value(m, "jmistral_kv_cache_blocks_capacity"));
            assertEquals(2, Prometheus.value(m, "jmistral_prefix_cache_entries"));
            assertEquals(640, Prometheus.value(m, "jmistral_prefix_cache_queries_total"));
            assertEquals(400, Prometheus.value(m, "jmistral_prefix_cache_hits_total"));
            assertEquals(6, Prometheus.value(m, "jmistral_num_preemptions_total"));
            assertEquals(120, Prometheus.value(m, "jmistral_spec_decode_num_draft_tokens_total"));
            assertEquals(51, Prometheus.value(m, "jmistral_spec_decode_num_accepted_tokens_total"));
        } finally {
            engine.scheduler = null;
        }
    }

    @Test
    void disconnectCancelsGeneration() throws Exception {
        engine.delayMillis = 50;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("Authorization", "Bearer sk-test")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                            + "w ".repeat(400).trim() + "\"}]}"))
                    .build();
            HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader reader = new BufferedReader(new InputStreamReader(r.body()));
            int lines = 0;
            while (lines < 6 && reader.readLine() != null) lines++;
            r.body().close();
            assertTrue(engine.firstCancel.await(20, TimeUnit.SECONDS), "generation cancelled after the client left");
        } finally {
            engine.delayMillis = 0;
        }
    }
}
