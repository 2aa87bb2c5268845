package jmistral.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Mistral dialect of streamed chat completions and the Responses API, on the wire, with the stand-in
 * engine (the official SDKs drive the real engine in ModelSdkConformanceTest).
 */
class ClientDialectsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MISTRAL_SDK = "mistral-client-typescript/2.7.0";
    static JmistralServer server;
    static HttpClient http;

    @BeforeAll
    static void start() {
        server = new JmistralServer(new ServerOptions("127.0.0.1", 0, null, 1 << 20), new EchoEngine()).start();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String body, String userAgent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (userAgent != null) b.header("User-Agent", userAgent);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The JSON of each {@code data:} line but [DONE]. */
    static List<JsonNode> data(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) out.add(JSON.readTree(line.substring(6)));
        }
        return out;
    }

    static final String TOOL_STREAM = """
            {"messages":[{"role":"user","content":"Paris"}],"stream":true,"tool_choice":"any",
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""";

    @Test
    void mistralClientsGetWholeToolCallsAndUsageInTheLastChunk() throws Exception {
        List<JsonNode> chunks = data(post("/v1/chat/completions", TOOL_STREAM, MISTRAL_SDK).body());
        List<JsonNode> calls = new ArrayList<>();
        for (JsonNode c : chunks) {
            JsonNode tc = c.path("choices").path(0).path("delta").get("tool_calls");
            if (tc != null) tc.forEach(calls::add);
        }
        assertEquals(1, calls.size(), "one delta with the whole call: " + chunks);
        assertEquals("abcDEF123", calls.getFirst().get("id").asText());
        assertEquals("get_weather", calls.getFirst().get("function").get("name").asText());
        assertEquals("{\"city\": \"Paris\"}", calls.getFirst().get("function").get("arguments").asText());
        JsonNode last = chunks.getLast();
        assertEquals("tool_calls", last.get("choices").get(0).get("finish_reason").asText());
        assertEquals(4, last.get("usage").get("prompt_tokens").asInt());
        assertEquals(9, last.get("usage").get("total_tokens").asInt());
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) assertFalse(c.has("usage"), "usage only at the end: " + c);
    }

    @Test
    void openAiClientsKeepArgumentFragments() throws Exception {
        List<JsonNode> chunks = data(post("/v1/chat/completions", TOOL_STREAM, "OpenAI/JS 6.30.1").body());
        List<String> fragments = new ArrayList<>();
        for (JsonNode c : chunks) {
            JsonNode tc = c.path("choices").path(0).path("delta").get("tool_calls");
            if (tc != null) fragments.add(tc.get(0).get("function").get("arguments").asText());
        }
        assertEquals(List.of("", "{\"city\": ", "\"Paris\"}"), fragments);
        assertTrue(chunks.stream().noneMatch(c -> c.has("usage") && !c.get("usage").isNull()), "no usage without include_usage");
    }

    @Test
    void prefixIsEchoedAtTheStartOfTheAnswer() throws Exception {
        String body = """
                {"messages":[{"role":"user","content":"say hi"},{"role":"assistant","content":"Hi","prefix":true}]}""";
        JsonNode r = JSON.readTree(post("/v1/chat/completions", body, MISTRAL_SDK).body());
        // the stand-in answers nothing after an assistant message: the content is the prefix alone
        assertEquals("Hi", r.get("choices").get(0).get("message").get("content").asText());
        String streamed = post("/v1/chat/completions", body.replace("]}", "],\"stream\":true}"), MISTRAL_SDK).body();
        StringBuilder text = new StringBuilder();
        for (JsonNode c : data(streamed)) text.append(c.path("choices").path(0).path("delta").path("content").asText(""));
        assertEquals("Hi", text.toString());
    }

    @Test
    void modelsCarryMistralsFields() throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode m = JSON.readTree(r.body()).get("data").get(0);
        assertEquals("echo-model", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertEquals("base", m.get("type").asText());
        assertTrue(m.get("capabilities").get("completion_chat").asBoolean());
        assertTrue(m.get("capabilities").get("function_calling").asBoolean());
        assertFalse(m.get("capabilities").get("vision").asBoolean(), "the stand-in reads no images");
    }

    @Test
    void responsesBlockingAnswer() throws Exception {
        var r = post("/v1/responses", """
                {"model":"m","instructions":"be brief","input":"one two three","max_output_tokens":2,"metadata":{"k":"v"}}""", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertTrue(b.get("id").asText().startsWith("resp_"));
        assertEquals("response", b.get("object").asText());
        assertEquals("incomplete", b.get("status").asText());
        assertEquals("max_output_tokens", b.get("incomplete_details").get("reason").asText());
        assertEquals("be brief", b.get("instructions").asText());
        assertEquals("v", b.get("metadata").get("k").asText());
        JsonNode msg = b.get("output").get(0);
        assertEquals("message", msg.get("type").asText());
        assertEquals("incomplete", msg.get("status").asText());
        assertEquals("one two", msg.get("content").get(0).get("text").asText());
        assertEquals(6, b.get("usage").get("input_tokens").asInt());
        assertEquals(2, b.get("usage").get("output_tokens").asInt());
        assertEquals(8, b.get("usage").get("total_tokens").asInt());
    }

    @Test
    void responsesStreamTheDocumentedEventsInOrder() throws Exception {
        String sse = post("/v1/responses", """
                {"input":[{"role":"user","content":[{"type":"input_text","text":"a b"}]}],"stream":true}""", null).body();
        List<String> types = new ArrayList<>();
        for (String line : sse.split("\n")) if (line.startsWith("event: ")) types.add(line.substring(7));
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed"), types);
        List<JsonNode> events = data(sse);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(types.get(i), events.get(i).get("type").asText());
            assertEquals(i, events.get(i).get("sequence_number").asInt());
        }
        assertEquals("a b", events.get(6).get("text").asText());
        assertEquals("completed", events.getLast().get("response").get("status").asText());
        assertEquals("a b", events.getLast().get("response").get("output").get(0).get("content").get(0).get("text").asText());
    }

    @Test
    void responsesStreamAFunctionCall() throws Exception {
        String sse = post("/v1/responses", """
                {"input":"Oslo","stream":true,"tool_choice":{"type":"function","name":"get_weather"},
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]}""", null).body();
        List<JsonNode> events = data(sse);
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed"),
                events.stream().map(e -> e.get("type").asText()).toList());
        assertEquals("{\"city\": \"Oslo\"}", events.get(5).get("arguments").asText());
        JsonNode call = events.getLast().get("response").get("output").get(0);
        assertEquals("function_call", call.get("type").asText());
        assertEquals("abcDEF123", call.get("call_id").asText());
        assertEquals("get_weather", call.get("name").asText());
        assertEquals("{\"city\": \"Oslo\"}", call.get("arguments").asText());
    }

    @Test
    void responsesItemsMapOntoChatMessages() throws Exception {
        ResponsesRequest r = ResponsesRequest.parse(JSON, """
                {"instructions":"sys","input":[
                  {"role":"user","content":[{"type":"input_text","text":"weather?"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
                  {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"sunny"}],
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
                 "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}},
                 "max_output_tokens":50,"temperature":0.5,"top_p":0.9,"stream":true}""".getBytes(StandardCharsets.UTF_8));
        assertTrue(r.stream());
        assertEquals(JSON.readTree("""
                {"messages":[{"role":"system","content":"sys"},
                  {"role":"user","content":[{"type":"text","text":"weather?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},"strict":true}},
                 "max_completion_tokens":50,"temperature":0.5,"top_p":0.9}"""), r.chatBody());
    }

    @Test
    void responsesRefuseWhatNeedsStoredState() throws Exception {
        for (String[] c : new String[][]{
                {"{\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "previous_response_id"},
                {"{\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation"},
                {"{\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0].type"},
                {"{\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type"},
                {"{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}", "input[0].content[0].type"}}) {
            var r = post("/v1/responses", c[0], null);
            assertEquals(400, r.statusCode(), r.body());
            JsonNode err = JSON.readTree(r.body()).get("error");
            assertEquals("invalid_request_error", err.get("type").asText());
            assertEquals(c[1], err.get("param").asText(), r.body());
        }
        var r = post("/v1/responses", "{\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", null);
        assertTrue(JSON.readTree(r.body()).get("error").get("message").asText().contains("stateless"));
    }
}
