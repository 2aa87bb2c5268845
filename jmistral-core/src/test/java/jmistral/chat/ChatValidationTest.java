package jmistral.chat;

import jmistral.tokenizer.TestData;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatValidationTest {
    private final PromptEncoder enc = new PromptEncoder(TestData.tekken());

    private ChatValidationException fails(String json) {
        return assertThrows(ChatValidationException.class, () -> enc.encode(ChatRequestJson.parse(json, url -> new int[] {10, 10})));
    }

    @Test
    void structuralErrorsNameThePlace() {
        assertEquals("messages", fails("{\"messages\": []}").path());
        assertEquals("messages[1]", fails("{\"messages\": [{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}").path());
        assertEquals("messages[2]", fails("{\"messages\": [{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},"
                + "{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"c\"}]}").path());
        assertEquals("messages[0].role", fails("{\"messages\": [{\"role\":\"robot\",\"content\":\"a\"}]}").path());
        assertEquals("$", fails("{\"messages\": [").path());
        String badName = "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bad name\"}}]}";
        assertEquals("tools[0].function.name", fails(badName).path());
    }

    @Test
    void toolCallRules() {
        String call = "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"%s\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}";
        String user = "{\"role\":\"user\",\"content\":\"q\"}";
        assertEquals("messages[1].tool_calls[0].id", fails("{\"messages\":[" + user + "," + call.formatted("ab-12") + ",{\"role\":\"tool\",\"tool_call_id\":\"ab-12\",\"content\":\"x\"}]}").path());
        assertEquals("messages[2].tool_call_id", fails("{\"messages\":[" + user + "," + call.formatted("abcDEF123") + ",{\"role\":\"tool\",\"tool_call_id\":\"zzzzzzzzz\",\"content\":\"x\"}]}").path());
        // serving mode: every call needs a result
        assertEquals("messages", fails("{\"messages\":[" + user + "," + call.formatted("abcDEF123") + "," + user + "]}").path());
        // long OpenAI ids are cut to their last 9 chars (vLLM), consistently for calls and results
        EncodedPrompt p = enc.encode(ChatRequestJson.parse("{\"messages\":[" + user + "," + call.formatted("call_abcDEF123")
                + ",{\"role\":\"tool\",\"tool_call_id\":\"call_abcDEF123\",\"content\":\"x\"}]}", null));
        assertTrue(TestData.tekken().decode(p.tokens(), jmistral.tokenizer.SpecialTokenPolicy.KEEP)
                .endsWith("[TOOL_CALLS]f[CALL_ID]abcDEF123[ARGS]{}</s>[TOOL_RESULTS]abcDEF123[TOOL_CONTENT]x[/TOOL_RESULTS]"));
        assertEquals("messages[0].prefix", assertThrows(ChatValidationException.class, () -> enc.encode(ChatRequest.of(
                new ChatMessage.Assistant("x", List.of(), true), ChatMessage.User.text("u")))).path());
    }

    @Test
    void argumentsAreReserializedPythonStyle() {
        assertEquals("{\"a\": 1.0, \"b\": [1, 2], \"c\": 1e-05, \"d\": 1e+16, \"e\": \"é\\n\\u0001\"}",
                PyJson.normalize("{\"a\":1.0,\"b\":[1,2],\"c\":0.00001,\"d\":1e16,\"e\":\"é\\n\\u0001\"}"));
        assertEquals("{}", PyJson.normalize(""));
        assertEquals("not json", PyJson.normalize("not json"));
        assertEquals("{\"a\": 1} x", PyJson.normalize("{\"a\": 1} x"));
        assertEquals("5e-324", PyJson.floatRepr(Double.MIN_VALUE));
        assertEquals("0.0001", PyJson.floatRepr(1e-4));
        assertEquals("1000000000000000.0", PyJson.floatRepr(1e15));
        assertEquals("-2.5", PyJson.floatRepr(-2.5));
        assertEquals("0.1", PyJson.floatRepr(0.1));
        assertEquals("1.7976931348623157e+308", PyJson.floatRepr(Double.MAX_VALUE));
        assertEquals("123456789012345678901234567890", PyJson.normalize("123456789012345678901234567890"));
        // invalid JSON arguments are encoded as a JSON string literal (mistral-common test_tokenizer_v11)
        EncodedPrompt p = new PromptEncoder(TestData.tekken()).withValidation(ValidationMode.TEST).encode(ChatRequest.of(
                ChatMessage.User.text("u"), new ChatMessage.Assistant(null, List.of(new ToolCall("abcDEF123", "f", "blabla")), false),
                new ChatMessage.Tool("abcDEF123", null, "r")));
        assertTrue(TestData.tekken().decode(p.tokens(), jmistral.tokenizer.SpecialTokenPolicy.KEEP).contains("[ARGS]\"blabla\"</s>"));
    }

    @Test
    void systemPromptTemplate() {
        SystemPromptTemplate t = new SystemPromptTemplate("You are {name}. Today is {today}, yesterday was {yesterday}. {{literal}} {other}");
        assertEquals("You are M. Today is 2025-03-01, yesterday was 2025-02-28. {literal} {other}", t.render("M", LocalDate.of(2025, 3, 1)));
        ChatRequest r = ChatRequest.of(ChatMessage.User.text("hi")).withDefaultSystemPrompt("SYS");
        assertArrayEquals(new int[] {1, 17}, java.util.Arrays.copyOf(enc.encode(r).tokens(), 2));
        ChatRequest withSys = ChatRequest.of(new ChatMessage.System("mine"), ChatMessage.User.text("hi"));
        assertEquals(withSys, withSys.withDefaultSystemPrompt("SYS"));
    }
}
