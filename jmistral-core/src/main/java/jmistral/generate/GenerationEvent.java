package jmistral.generate;

import java.util.List;

/** What a running sequence reports, in order: tokens, then exactly one {@link Finished}. */
public sealed interface GenerationEvent {

    /**
     * One generated token (stop tokens are not reported).
     *
     * @param token   the id
     * @param text    text that became safe to show with this token: the decoded piece, minus what is held
     *                back because it may start a stop string, plus earlier held text now released; "" when
     *                the request has no decoder
     * @param logprob log-probability of the token (NaN unless logprobs were asked)
     * @param top     most likely alternatives at this step, most likely first (empty unless asked)
     */
    record Token(int token, String text, float logprob, List<TopLogprob> top) implements GenerationEvent {
    }

    /**
     * The end.
     *
     * @param reason why it ended
     * @param text   remaining text released at the end (held-back text, decoder leftovers)
     * @param usage  token accounting
     * @param error  what went wrong when reason is ERROR, else null
     */
    record Finished(FinishReason reason, String text, Usage usage, String error) implements GenerationEvent {
    }
}
