package jmistral.engine;

/** Why an answer (a choice) ended, as the chat layer sees it. */
public enum FinishReason {
    /** The model ended its answer (end of sequence) or a stop string was reached. */
    STOP,
    /** The answer ended normally and holds tool calls. */
    TOOL_CALLS,
    /** max_tokens was reached, or the context is full: the answer is cut off. */
    LENGTH,
    /** The loop guard stopped an answer that was repeating itself: cut off, like LENGTH. */
    LOOP,
    /** The caller cancelled. */
    CANCELLED,
    /** Generation failed (the event or response says why). */
    ERROR
}
