package jmistral.engine;

import java.util.List;

/**
 * What a running chat request reports, in order per choice: text and tool-call deltas, then one
 * {@link ChoiceFinished} per choice, then {@link Completed} once; or {@link Failed} when generation broke
 * after it started (no events follow it).
 */
public sealed interface ChatEvent {

    /** Answer text of a choice, with the log-probabilities of its tokens when asked for (else empty). */
    record TextDelta(int choice, String text, List<TokenLogprob> logprobs) implements ChatEvent {}

    /** A tool call begins: its id (9 letters and digits) and the function's name. */
    record ToolCallStart(int choice, int index, String id, String name) implements ChatEvent {}

    /** A piece of a tool call's JSON arguments. */
    record ToolCallArguments(int choice, int index, String fragment) implements ChatEvent {}

    /** A choice ended; {@code tokens}: the ids of its answer (stop tokens excluded). */
    record ChoiceFinished(int choice, FinishReason reason, int[] tokens) implements ChatEvent {}

    /** Every choice ended; the request's token counts. */
    record Completed(Usage usage) implements ChatEvent {}

    /** Generation failed after it started (a model or sampling failure); the message says what happened. */
    record Failed(String message) implements ChatEvent {}
}
