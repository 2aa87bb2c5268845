package jmistral.chat;

import jmistral.tokenizer.IntList;
import jmistral.tokenizer.Tekken;
import jmistral.tokenizer.TestData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputParserTest {
    private final Tekken t = TestData.tekken();

    private int[] ids(Object... parts) {
        IntList out = new IntList();
        for (Object p : parts) {
            if (p instanceof Integer i) out.add(i); else t.encode((String) p, out);
        }
        return out.toArray();
    }

    @Test
    void parsesWhatThePromptEncoderWrites() {
        // The assistant turn of the "assistant_content_and_tool_call_same_message" vector, as the model would generate it.
        int[] gen = ids("Let me check.", 9, "get_current_weather", 33, "abcDEF123", 32, "{\"location\": \"Paris\", \"format\": \"celsius\"}", 2);
        OutputParser.Result r = OutputParser.parse(t, gen);
        assertEquals("Let me check.", r.content());
        assertEquals(List.of(new ToolCall("abcDEF123", "get_current_weather", "{\"location\": \"Paris\", \"format\": \"celsius\"}")), r.toolCalls());
    }

    @Test
    void severalCallsWithoutIdsStreamedTokenByToken() {
        int[] gen = ids(9, "f", 32, "{\"a\": \"日本\"}", 9, "g_2", 32, "{}", 2, "ignored after eos");
        List<String> ids = new ArrayList<>(List.of("id0000001", "id0000002"));
        OutputParser p = new OutputParser(t, () -> ids.removeFirst());
        List<OutputParser.Event> events = new ArrayList<>();
        for (int id : gen) events.addAll(p.push(id));
        events.addAll(p.finish());
        OutputParser.Result r = p.result();
        assertEquals("", r.content());
        assertEquals(List.of(new ToolCall("id0000001", "f", "{\"a\": \"日本\"}"), new ToolCall("id0000002", "g_2", "{}")), r.toolCalls());
        assertEquals(new OutputParser.Event.ToolCallStart(0, "id0000001", "f"), events.get(0));
        StringBuilder args0 = new StringBuilder();
        for (OutputParser.Event e : events) if (e instanceof OutputParser.Event.ToolCallArguments a && a.index() == 0) args0.append(a.delta());
        assertEquals("{\"a\": \"日本\"}", args0.toString());
        assertTrue(events.contains(new OutputParser.Event.ToolCallStart(1, "id0000002", "g_2")));
    }

    @Test
    void repeatedOrMalformedModelIdsAreReplaced() {
        // The model repeats its first id, then writes one that request validation would refuse (too short).
        int[] gen = ids(9, "f", 33, "abcDEF123", 32, "{}", 9, "g", 33, "abcDEF123", 32, "{}", 9, "h", 33, "x-1", 32, "{}", 2);
        List<String> generated = new ArrayList<>(List.of("abcDEF123", "gen000002", "gen000003")); // the first repeats too
        OutputParser p = new OutputParser(t, () -> generated.removeFirst());
        for (int id : gen) p.push(id);
        p.finish();
        OutputParser.Result r = p.result();
        assertEquals(List.of(new ToolCall("abcDEF123", "f", "{}"), new ToolCall("gen000002", "g", "{}"), new ToolCall("gen000003", "h", "{}")),
                r.toolCalls());
        ChatRequest next = ChatRequest.of(List.of(ChatMessage.User.text("go"), new ChatMessage.Assistant(null, r.toolCalls(), false),
                new ChatMessage.Tool("abcDEF123", "f", "1"), new ChatMessage.Tool("gen000002", "g", "2"), new ChatMessage.Tool("gen000003", "h", "3")));
        RequestValidator.validate(next, ValidationMode.SERVING); // the answer is a valid next turn
    }

    @Test
    void plainTextStreamsCompleteCharacters() {
        int[] gen = ids("Zürich 🎉 ok", 2);
        OutputParser p = new OutputParser(t);
        StringBuilder sb = new StringBuilder();
        for (int id : gen) for (OutputParser.Event e : p.push(id)) sb.append(((OutputParser.Event.Text) e).text());
        assertEquals("Zürich 🎉 ok", sb.toString());
        assertEquals(List.of(), p.result().toolCalls());
    }

    @Test
    void legacyNameBraceFormAndUnfinishedCall() {
        OutputParser.Result r = OutputParser.parse(t, ids("Hi", 9, "lookup{\"q\": 1}"));
        assertEquals("Hi", r.content());
        assertEquals("lookup", r.toolCalls().get(0).name());
        assertEquals("{\"q\": 1}", r.toolCalls().get(0).arguments());
        assertEquals(9, r.toolCalls().get(0).id().length());
    }
}
