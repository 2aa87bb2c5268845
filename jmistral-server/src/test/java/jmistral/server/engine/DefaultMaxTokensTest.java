package jmistral.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.engine.EngineOptions;
import jmistral.server.JmistralServer;
import jmistral.server.ServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Without max_tokens (max_completion_tokens, max_output_tokens) an answer may use what the context has
 * left, as OpenAI's and Mistral's APIs define it (prompt + answer within the model's context), and no
 * more: it ends exactly at the context's end with finish_reason "length" (the Responses API: status
 * "incomplete"). A max_tokens beyond what is left is a 400. The context here is 96 tokens a request.
 */
class DefaultMaxTokensTest {
    static final int CONTEXT = 96;
    static ModelCompletionEngine engine;
    static JmistralServer server;
    static String base;

    @BeforeAll
    static void start() {
        engine = ModelCompletionEngine.load(EngineOptions.of(SynthServer.get().gguf).withModelId("short")
                .withMaxParallel(2).withContextTokens(1024).withMaxContext(CONTEXT));
        server = new JmistralServer(ServerOptions.loopback(0).withApiKey(SynthServer.API_KEY), engine).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    // sampled at temperature 1 over the 131k-token vocabulary: no end-of-answer token, no loop, in 90 tokens
    private static final String CHAT = """
            {"model":"m","messages":[{"role":"user","content":"Talk until you are stopped."}],"temperature":1,"seed":5%s}""";

    @Test
    void blockingAnswerEndsAtTheContextsEndWithLength() throws Exception {
        Http.Response r = Http.chat(base, CHAT.formatted(""));
        assertEquals(200, r.status(), r.body().toString());
        JsonNode usage = r.body().get("usage");
        assertEquals(CONTEXT, usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(), usage.toString());
        assertEquals("length", r.body().at("/choices/0/finish_reason").asText());
    }

    @Test
    void streamEndsAtTheContextsEndWithLength() throws Exception {
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
                Http.post(base, CHAT.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}")),
                HttpResponse.BodyHandlers.ofInputStream());
        String finish = null;
        JsonNode usage = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: {")) continue;
                JsonNode chunk = Http.JSON.readTree(line.substring(6));
                for (JsonNode c : chunk.path("choices")) if (c.path("finish_reason").isTextual()) finish = c.get("finish_reason").asText();
                if (chunk.path("usage").isObject()) usage = chunk.get("usage");
            }
        }
        assertEquals("length", finish);
        assertNotNull(usage, "the usage chunk");
        assertEquals(CONTEXT, usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(), usage.toString());
    }

    @Test
    void responsesApiAnswerEndsAtTheContextsEndIncomplete() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/responses"))
                .header("Authorization", "Bearer " + SynthServer.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"m","input":"Talk until you are stopped.","temperature":1}""")).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = Http.JSON.readTree(r.body());
        assertEquals("incomplete", b.get("status").asText(), r.body());
        assertEquals(CONTEXT, b.at("/usage/input_tokens").asInt() + b.at("/usage/output_tokens").asInt(), r.body());
    }

    @Test
    void maxTokensBeyondTheContextLeftIs400() throws Exception {
        Http.Response r = Http.chat(base, CHAT.formatted(",\"max_tokens\":" + CONTEXT));
        assertEquals(400, r.status(), r.body().toString());
        assertEquals("context_length_exceeded", r.body().at("/error/code").asText(), r.body().toString());
    }
}
