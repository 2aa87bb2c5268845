package jmistral.server;

import java.util.List;

/** Events of a running chat completion, as the engine reports them. */
public sealed interface CompletionEvent {

    /** Text generated for a choice, with the logprobs of its tokens when asked for (else empty). */
    record TextDelta(int choice, String text, List<TokenLogprob> logprobs) implements CompletionEvent {}

    /** A tool call begins: its 9-character id and the function name. */
    record ToolCallStart(int choice, int index, String id, String name) implements CompletionEvent {}

    /** A piece of a tool call's JSON arguments. */
    record ToolCallArguments(int choice, int index, String fragment) implements CompletionEvent {}

    /** A choice ended: finish_reason is stop, length, tool_calls (or error). */
    record ChoiceFinished(int choice, String finishReason) implements CompletionEvent {}

    /** Every choice ended. */
    record Completed(Usage usage) implements CompletionEvent {}

    /** Generation failed after it started. */
    record Failed(ApiError error) implements CompletionEvent {}

    /** Token counts; cachedTokens = prompt tokens served from the prefix cache. */
    record Usage(int promptTokens, int completionTokens, int cachedTokens) {}

    /** One sampled token's log-probability and the most likely alternatives. */
    record TokenLogprob(String token, double logprob, byte[] bytes, List<TopLogprob> top) {}

    record TopLogprob(String token, double logprob, byte[] bytes) {}
}
