package jmistral.engine;

import java.util.List;

/**
 * One answer token's log-probability and the most likely alternatives at its step, as OpenAI's logprobs
 * show them: the token's text (a control token by its name such as {@code [TOOL_CALLS]}, a partial UTF-8
 * character as U+FFFD) and its raw bytes.
 */
public record TokenLogprob(String token, double logprob, byte[] bytes, List<Alternative> top) {

    /** An alternative token at the same step. */
    public record Alternative(String token, double logprob, byte[] bytes) {}
}
