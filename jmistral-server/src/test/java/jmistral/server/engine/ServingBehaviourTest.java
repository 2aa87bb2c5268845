package jmistral.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.PromptEncoder;
import jmistral.generate.SchedulerMetrics;
import jmistral.server.Prometheus;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/** The engine behind HTTP on the random-weight model: batching, cancellation, limits and errors. */
class ServingBehaviourTest {
    private final SynthServer s = SynthServer.get();

    private static String request(String prompt, int maxTokens, boolean stream) {
        return """
                {"model":"m","messages":[{"role":"user","content":"%s"}],"max_tokens":%d,"temperature":0,"stream":%b}"""
                .formatted(prompt, maxTokens, stream);
    }

    @Test
    void eightParallelStreamsGiveTheSameTextAsEachAlone() throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) prompts.add("Parallel request number " + i + " about " + "abcdefgh".charAt(i));
        List<String> alone = new ArrayList<>();
        for (String p : prompts) alone.add(Http.streamedText(s.baseUrl(), request(p, 12, true)));
        long stepsBefore = s.engine.schedulerMetrics().steps();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> together = new ArrayList<>();
            for (String p : prompts) together.add(pool.submit(() -> Http.streamedText(s.baseUrl(), request(p, 12, true))));
            for (int i = 0; i < prompts.size(); i++) assertEquals(alone.get(i), together.get(i).get(), "prompt " + i);
        }
        long steps = s.engine.schedulerMetrics().steps() - stepsBefore;
        // 8 x 12 tokens alone would take >= 96 steps; batched they share steps.
        assertTrue(steps < 8 * 12, "decode steps were shared by the batch: " + steps);
        for (String a : alone) assertFalse(a.isEmpty());
    }

    @Test
    void clientDisconnectFreesKvBlocksAtOnce() throws Exception {
        awaitIdle();
        SchedulerMetrics before = s.engine.schedulerMetrics();
        InputStream stream = Http.openStream(s.baseUrl(), request("Write a very long story about disconnects", 8000, true));
        SchedulerMetrics during = s.engine.schedulerMetrics();
        assertEquals(1, during.running(), "one sequence is generating");
        assertTrue(during.kvBlocksUsed() > before.kvBlocksUsed(), "it holds KV blocks");
        stream.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        SchedulerMetrics after = s.engine.schedulerMetrics();
        while (System.nanoTime() < deadline && (after.running() > 0 || after.kvBlocksUsed() > before.kvBlocksUsed())) {
            Thread.sleep(20);
            after = s.engine.schedulerMetrics();
        }
        assertEquals(0, after.running(), "the sequence was cancelled");
        assertEquals(before.kvBlocksUsed(), after.kvBlocksUsed(), "its KV blocks were freed (not kept as a prefix)");
        assertEquals(0.0, s.engine.stats().running());
    }

    @Test
    void sharedSystemPromptComesFromThePrefixCacheAndIsCountedInMetrics() throws Exception {
        awaitIdle();
        String system = "You answer questions about the prefix cache of jmistral, briefly and exactly. ".repeat(6);
        String metricsBefore = Http.get(s.baseUrl(), "/metrics");
        long cachedBefore = s.engine.schedulerMetrics().cachedPromptTokens();
        long queriedBefore = s.engine.schedulerMetrics().promptTokens();

        JsonNode first = Http.chat(s.baseUrl(), withSystem(system, "First question?")).body();
        JsonNode second = Http.chat(s.baseUrl(), withSystem(system, "Second question?")).body();

        // the yardstick: the two prompts' tokens, encoded by the library; the second reuses their common prefix
        PromptEncoder encoder = new PromptEncoder(s.tekken);
        int[] p1 = encoder.encode(ChatRequest.of(new ChatMessage.System(system), ChatMessage.User.text("First question?"))).tokens();
        int[] p2 = encoder.encode(ChatRequest.of(new ChatMessage.System(system), ChatMessage.User.text("Second question?"))).tokens();
        int common = Arrays.mismatch(p1, p2);
        assertTrue(common > 60, "the system prompt is long: " + common);
        assertEquals(p2.length, second.at("/usage/prompt_tokens").asInt());
        int cached = second.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertEquals(common, cached, second.toString());
        int cachedFirst = first.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(cachedFirst < common, "the first request computed the system prompt: " + first);

        String metrics = Http.get(s.baseUrl(), "/metrics");
        assertEquals(cachedFirst + cached, Prometheus.value(metrics, "jmistral_prefix_cache_hits_total")
                - Prometheus.value(metricsBefore, "jmistral_prefix_cache_hits_total"), metrics);
        assertEquals(p1.length + p2.length, Prometheus.value(metrics, "jmistral_prefix_cache_queries_total")
                - Prometheus.value(metricsBefore, "jmistral_prefix_cache_queries_total"));
        assertEquals(cachedFirst + cached, s.engine.schedulerMetrics().cachedPromptTokens() - cachedBefore);
        assertEquals(p1.length + p2.length, s.engine.schedulerMetrics().promptTokens() - queriedBefore);
        SchedulerMetrics now = s.engine.schedulerMetrics();
        assertEquals(now.kvBlocksTotal(), Prometheus.value(metrics, "jmistral_kv_cache_blocks_capacity"));
        assertEquals(now.kvBlocksUsed(), Prometheus.value(metrics, "jmistral_kv_cache_blocks_used"), "idle: only cached prefixes hold blocks");
        assertTrue(now.kvBlocksUsed() > 0, "the finished prompts are kept as prefixes");
        assertEquals(0, Prometheus.value(metrics, "jmistral_num_requests_running"));
        assertEquals(0, Prometheus.value(metrics, "jmistral_num_requests_waiting"));
        assertEquals(now.preemptions(), Prometheus.value(metrics, "jmistral_num_preemptions_total"));
    }

    private static String withSystem(String system, String user) {
        return """
                {"model":"m","messages":[{"role":"system","content":"%s"},{"role":"user","content":"%s"}],"max_tokens":3,"temperature":0}"""
                .formatted(system, user);
    }

    @Test
    void stopStringEndsTheAnswerBeforeIt() throws Exception {
        String free = Http.chat(s.baseUrl(), request("Stop string probe", 12, false)).body().at("/choices/0/message/content").asText();
        assertTrue(free.length() > 6, free);
        String stop = free.substring(free.length() / 2, free.length() / 2 + 3);
        int at = free.indexOf(stop);
        String body = request("Stop string probe", 12, false).replace("\"max_tokens\"",
                "\"stop\":" + Http.JSON.writeValueAsString(java.util.List.of(stop)) + ",\"max_tokens\"");
        JsonNode r = Http.chat(s.baseUrl(), body).body();
        assertEquals(free.substring(0, at), r.at("/choices/0/message/content").asText(), "text up to the stop string");
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
    }

    @Test
    void contextOverflowIsA400SayingHowManyTokens() throws Exception {
        Http.Response r = Http.chat(s.baseUrl(), request("Hello", 1_000_000, false));
        assertEquals(400, r.status());
        JsonNode err = r.body().path("error");
        assertEquals("context_length_exceeded", err.path("code").asText());
        String msg = err.path("message").asText();
        assertTrue(msg.contains("16384") && msg.contains("1000000"), msg);
    }

    @Test
    void imagesGoThroughTheVisionTowerAndBadOnesAreNamedInErrors() throws Exception {
        String garbage = "data:image/png;base64," + Base64.getEncoder().encodeToString("not an image".getBytes());
        Http.Response bad = Http.chat(s.baseUrl(), imageRequest(garbage));
        assertEquals(400, bad.status());
        assertEquals("messages[0].content[1]", bad.body().path("error").path("param").asText());
        assertTrue(bad.body().path("error").path("message").asText().contains("cannot be decoded"), bad.body().toString());

        // 56 x 28 pixels = a grid of 2 x 1 tokens of 28 px: [IMG][IMG][IMG_END] in the prompt
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(56, 28, BufferedImage.TYPE_INT_RGB), "png", png);
        Http.Response ok = Http.chat(s.baseUrl(), imageRequest("data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray())));
        assertEquals(200, ok.status(), ok.body().toString());
        Http.Response textOnly = Http.chat(s.baseUrl(), """
                {"model":"m","max_tokens":4,"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"}]}]}""");
        assertEquals(3, ok.body().at("/usage/prompt_tokens").asInt() - textOnly.body().at("/usage/prompt_tokens").asInt(),
                "the image's three tokens are in the prompt");

        Http.Response remote = Http.chat(s.baseUrl(), imageRequest("https://example.com/cat.png"));
        assertEquals(400, remote.status());
        assertTrue(remote.body().path("error").path("message").asText().contains("--allow-remote-images"));
    }

    private static String imageRequest(String url) {
        return """
                {"model":"m","max_tokens":4,"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
                {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(url);
    }

    @Test
    void jsonObjectModeStartsAnObjectAndToolChoiceNoneNeverCalls() throws Exception {
        Http.Response r = Http.chat(s.baseUrl(), """
                {"model":"m","messages":[{"role":"user","content":"JSON please"}],"max_tokens":12,
                 "response_format":{"type":"json_object"}}""");
        assertEquals(200, r.status(), r.body().toString());
        assertTrue(r.body().at("/choices/0/message/content").asText().startsWith("{"), r.body().toString());

        Http.Response none = Http.chat(s.baseUrl(), """
                {"model":"m","messages":[{"role":"user","content":"No tools"}],"max_tokens":24,"tool_choice":"none",
                 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");
        assertEquals(200, none.status(), none.body().toString());
        assertTrue(none.body().at("/choices/0/message/tool_calls").isMissingNode()
                || none.body().at("/choices/0/message/tool_calls").isNull()
                || none.body().at("/choices/0/message/tool_calls").isEmpty(), none.body().toString());
    }

    @Test
    void historyWithOpenAiToolCallIdsIsAccepted() throws Exception {
        Http.Response r = Http.chat(s.baseUrl(), """
                {"model":"m","max_tokens":4,"messages":[
                 {"role":"user","content":"Weather?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_abcdefghijklmnop","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_abcdefghijklmnop","content":"sunny"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""");
        assertEquals(200, r.status(), r.body().toString());
    }

    private void awaitIdle() throws InterruptedException {
        for (int i = 0; i < 250 && s.engine.schedulerMetrics().running() > 0; i++) Thread.sleep(20);
    }
}
