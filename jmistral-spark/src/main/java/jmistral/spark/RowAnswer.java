package jmistral.spark;

import java.util.List;
import jmistral.chat.ToolCall;

/** The answer columns of one row (see {@link OutputColumns}). */
record RowAnswer(String text, List<ToolCall> toolCalls, String finishReason, Integer promptTokens,
                 Integer completionTokens, String error) {

    static RowAnswer failed(String error, Integer promptTokens) {
        return new RowAnswer(null, null, "error", promptTokens, null, error);
    }
}
