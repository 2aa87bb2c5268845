package jmistral.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import jmistral.chat.ToolCall;
import jmistral.engine.Usage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The engine's answer as LangChain4j's response: text, tool execution requests, usage, finish reason. */
class ResponseMappingTest {
    private static final ToolCall WEATHER = new ToolCall("abcDEF123", "weather", "{\"city\": \"ROME\"}");

    private static ChatResponse map(String text, List<ToolCall> calls, jmistral.engine.FinishReason reason) {
        var choice = new jmistral.engine.ChatResponse.Choice(0, text, calls, reason, List.of(), new int[0]);
        return ResponseMapping.map(new jmistral.engine.ChatResponse(List.of(choice), new Usage(30, 7, 0), null), "tiny");
    }

    @Test
    void textAnswer() {
        ChatResponse r = map("Hello", List.of(), jmistral.engine.FinishReason.STOP);
        assertEquals("Hello", r.aiMessage().text());
        assertFalse(r.aiMessage().hasToolExecutionRequests());
        assertEquals(new TokenUsage(30, 7, 37), r.tokenUsage());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals("tiny", r.modelName());
    }

    @Test
    void toolCallsAreExecutionRequests() {
        ChatResponse r = map("", List.of(WEATHER), jmistral.engine.FinishReason.TOOL_CALLS);
        assertNull(r.aiMessage().text(), "no text beside the calls");
        assertEquals(List.of(ToolExecutionRequest.builder().id("abcDEF123").name("weather").arguments("{\"city\": \"ROME\"}").build()),
                r.aiMessage().toolExecutionRequests());
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
        // a forced call ends with STOP in the engine; with calls it is still TOOL_EXECUTION for LangChain4j
        assertEquals(FinishReason.TOOL_EXECUTION, map("", List.of(WEATHER), jmistral.engine.FinishReason.STOP).finishReason());
    }

    @Test
    void aCallCutOffByMaxTokensIsNoRequest() {
        ChatResponse cutInName = map("", List.of(WEATHER, new ToolCall("xyzXYZ789", "weath", "")), jmistral.engine.FinishReason.LENGTH);
        assertEquals(List.of("weather"), cutInName.aiMessage().toolExecutionRequests().stream().map(ToolExecutionRequest::name).toList());
        assertEquals(FinishReason.LENGTH, cutInName.finishReason(), "cut off, though the first call is whole");
        ChatResponse cutInArguments = map("", List.of(new ToolCall("xyzXYZ789", "weather", "{\"city\": \"RO")), jmistral.engine.FinishReason.LENGTH);
        assertFalse(cutInArguments.aiMessage().hasToolExecutionRequests());
        assertEquals(FinishReason.LENGTH, cutInArguments.finishReason());
        ChatResponse loop = map("la la la", List.of(), jmistral.engine.FinishReason.LOOP);
        assertEquals(FinishReason.LENGTH, loop.finishReason(), "the loop guard cut the answer off");
    }
}
