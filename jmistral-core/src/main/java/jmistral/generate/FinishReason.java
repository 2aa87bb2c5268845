package jmistral.generate;

/** Why a sequence ended. The server maps these to OpenAI's finish_reason values. */
public enum FinishReason {
    /** A stop token (EOS) or a stop string. */
    STOP,
    /** max_tokens reached, or the context is full. */
    LENGTH,
    /** The output is a tool call (set by the chat layer that parses the output; never by the scheduler). */
    TOOL_CALLS,
    /** The loop guard found a degenerate repetition. */
    LOOP,
    /** The caller cancelled (e.g. the client disconnected). */
    CANCELLED,
    /** The model or a constraint failed; see the event's error message. */
    ERROR
}
