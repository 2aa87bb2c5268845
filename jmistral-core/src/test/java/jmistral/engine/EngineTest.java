package jmistral.engine;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.OutputParser;
import jmistral.chat.ResponseFormat;
import jmistral.chat.Tool;
import jmistral.chat.ToolChoice;
import jmistral.generate.SchedulerMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine on a small random-weight model: events, whole answers, constraints, cancellation, batches. */
class EngineTest {
    static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open(EngineOptions.of(TinyEngineModel.gguf()).withContextTokens(4096).withMaxParallel(4));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static ChatRequest ask(String text, ChatOptions options) {
        return ChatRequest.of(ChatMessage.User.text(text)).withOptions(options);
    }

    @Test
    void streamedEventsAddUpToTheWholeAnswerAndToTheOutputParsersReading() throws Exception {
        ChatRequest req = ask("Tell me about streams", ChatOptions.DEFAULTS.withTemperature(0.0).withMaxTokens(12));
        StringBuilder text = new StringBuilder();
        List<ChatEvent> events = new ArrayList<>();
        try (ChatStream s = engine.chat(req)) {
            for (ChatEvent e : s) {
                events.add(e);
                if (e instanceof ChatEvent.TextDelta d) text.append(d.text());
            }
        }
        assertInstanceOf(ChatEvent.Completed.class, events.getLast());
        ChatEvent.ChoiceFinished finished = (ChatEvent.ChoiceFinished) events.get(events.size() - 2);
        ChatResponse whole = engine.complete(req);
        assertEquals(text.toString(), whole.text());
        assertArrayEquals(finished.tokens(), whole.choices().getFirst().tokens(), "greedy: the same tokens twice");
        assertEquals(OutputParser.parse(engine.tokenizer(), finished.tokens()).content(), whole.text());
        Usage u = ((ChatEvent.Completed) events.getLast()).usage();
        assertEquals(engine.promptTokens(req).length, u.promptTokens());
        assertTrue(u.completionTokens() >= finished.tokens().length);
    }

    @Test
    void requiredToolChoiceGivesACallWithArgumentsForTheSchema() throws Exception {
        Tool weather = Tool.of("get_weather", "weather", """
                {"type":"object","properties":{"city":{"type":"string","maxLength":8}},"required":["city"],"additionalProperties":false}""");
        ChatResponse r = engine.complete(ask("Weather?", ChatOptions.DEFAULTS.withToolChoice(ToolChoice.REQUIRED)
                .withParallelToolCalls(false).withSeed(3L).withMaxTokens(200)).withTools(List.of(weather)));
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals(1, r.toolCalls().size());
        assertEquals("get_weather", r.toolCalls().getFirst().name());
        assertEquals(9, r.toolCalls().getFirst().id().length());
        JsonNode args = new ObjectMapper().readTree(r.toolCalls().getFirst().arguments());
        assertTrue(args.get("city").isTextual(), args.toString());
        // with a seed, the same request names its call the same
        ChatResponse again = engine.complete(ask("Weather?", ChatOptions.DEFAULTS.withToolChoice(ToolChoice.REQUIRED)
                .withParallelToolCalls(false).withSeed(3L).withMaxTokens(200)).withTools(List.of(weather)));
        assertEquals(r.toolCalls(), again.toolCalls());
    }

    @Test
    void badSchemaAndOverlongRequestsAreRefusedBeforeAnythingRuns() {
        ResponseFormat bad = ResponseFormat.jsonSchema("{\"type\":\"object\",\"patternProperties\":{\"^a\":{\"type\":\"string\"}}}");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> engine.complete(ask("x", ChatOptions.DEFAULTS.withResponseFormat(bad))));
        assertEquals("response_format.json_schema.schema", e.param());
        ContextLengthException c = assertThrows(ContextLengthException.class,
                () -> engine.chat(ask("x", ChatOptions.DEFAULTS.withMaxTokens(engine.contextLimit()))));
        assertEquals(engine.contextLimit(), c.contextLimit());
        assertTrue(c.getMessage().contains("context holds " + engine.contextLimit()), c.getMessage());
    }

    @Test
    void cancelFreesTheSequenceWithinAStep() throws Exception {
        SchedulerMetrics before = engine.metrics();
        ChatStream s = engine.chat(ask("Go on forever", ChatOptions.DEFAULTS.withMaxTokens(3000)));
        assertInstanceOf(ChatEvent.TextDelta.class, firstDelta(s));
        s.cancel();
        assertNull(s.next(), "a cancelled stream ends");
        long deadline = System.nanoTime() + 5_000_000_000L;
        SchedulerMetrics after = engine.metrics();
        while (System.nanoTime() < deadline && (after.running() > 0 || after.kvBlocksUsed() > before.kvBlocksUsed())) {
            Thread.sleep(5);
            after = engine.metrics();
        }
        assertEquals(0, after.running());
        assertEquals(before.kvBlocksUsed(), after.kvBlocksUsed(), "its KV blocks were freed, not kept as a prefix");
    }

    private static ChatEvent firstDelta(ChatStream s) throws InterruptedException {
        for (ChatEvent e; (e = s.next()) != null; ) if (e instanceof ChatEvent.TextDelta) return e;
        return null;
    }

    @Test
    void aBatchAnswersInOrderTheSameWhateverTheTimingAndKeepsBadRequestsApart() {
        List<ChatRequest> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) batch.add(ask("Batch question " + i, ChatOptions.DEFAULTS.withTemperature(0.0).withMaxTokens(6)));
        batch.add(ask("too long", ChatOptions.DEFAULTS.withMaxTokens(engine.contextLimit())));
        List<ChatResponse> first = engine.batch(batch), second = engine.batch(batch);
        assertEquals(4, first.size());
        for (int i = 0; i < 3; i++) {
            assertNull(first.get(i).error());
            assertArrayEquals(first.get(i).choices().getFirst().tokens(), second.get(i).choices().getFirst().tokens(), "request " + i);
        }
        assertTrue(first.get(3).error().contains("context holds"), first.get(3).error());
        assertTrue(first.get(3).usage().promptTokens() > 0);
    }

    @Test
    void nChoicesShareOnePrefillAndEachGetsItsOwnSeed() {
        ChatResponse r = engine.complete(ask("Three answers please", ChatOptions.DEFAULTS.withN(3).withSeed(11L)
                .withTemperature(1.0).withMaxTokens(8)));
        assertEquals(3, r.choices().size());
        for (int i = 0; i < 3; i++) assertEquals(i, r.choices().get(i).index());
        assertFalse(java.util.Arrays.equals(r.choices().get(0).tokens(), r.choices().get(1).tokens()), "seed + 1 samples apart");
        assertEquals(engine.promptTokens(ask("Three answers please", ChatOptions.DEFAULTS)).length, r.usage().promptTokens(),
                "the prompt is counted once");
    }
}
