package jmistral.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import jmistral.chat.ToolCall;
import jmistral.engine.Usage;

import java.util.List;

/** The engine's answer (its first choice) as LangChain4j's {@link ChatResponse}. */
final class ResponseMapping {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseMapping() {}

    static ChatResponse map(jmistral.engine.ChatResponse answer, String modelName) {
        jmistral.engine.ChatResponse.Choice choice = answer.choices().getFirst();
        return response(choice.content(), choice.toolCalls(), choice.finishReason(), answer.usage(), modelName);
    }

    static ChatResponse response(String text, List<ToolCall> calls, jmistral.engine.FinishReason reason, Usage usage, String modelName) {
        List<ToolExecutionRequest> requests = calls.stream().filter(c -> isComplete(c, reason))
                .map(ResponseMapping::toolExecutionRequest).toList();
        AiMessage message = AiMessage.builder()
                .text(text == null || text.isEmpty() && !requests.isEmpty() ? null : text)
                .toolExecutionRequests(requests)
                .build();
        return ChatResponse.builder()
                .aiMessage(message)
                .modelName(modelName)
                .tokenUsage(new TokenUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens()))
                .finishReason(finishReason(reason, !requests.isEmpty()))
                .build();
    }

    /**
     * Whether a call was written to its end. An answer cut off (max tokens, the loop guard) may end in the
     * middle of its last call, even of the tool's name: such a call is no request LangChain4j could run
     * (AiServices would report a hallucinated tool), so it is left out and the finish reason says LENGTH.
     */
    static boolean isComplete(ToolCall call, jmistral.engine.FinishReason reason) {
        if (reason != jmistral.engine.FinishReason.LENGTH && reason != jmistral.engine.FinishReason.LOOP) return true;
        try {
            return !JSON.readTree(call.arguments()).isMissingNode();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    static ToolExecutionRequest toolExecutionRequest(ToolCall call) {
        return ToolExecutionRequest.builder().id(call.id()).name(call.name()).arguments(call.arguments()).build();
    }

    /**
     * An answer that holds tool calls is TOOL_EXECUTION (also when a forced call ended it); the loop
     * guard's stop is LENGTH: the answer was cut off, not finished.
     */
    static FinishReason finishReason(jmistral.engine.FinishReason reason, boolean hasToolCalls) {
        return switch (reason) {
            case STOP, TOOL_CALLS -> hasToolCalls ? FinishReason.TOOL_EXECUTION : FinishReason.STOP;
            case LENGTH, LOOP -> FinishReason.LENGTH;
            case CANCELLED, ERROR -> FinishReason.OTHER;
        };
    }
}
