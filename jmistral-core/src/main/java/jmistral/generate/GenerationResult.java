package jmistral.generate;

import java.util.List;

/**
 * A finished sequence, all at once.
 *
 * @param tokens generated token ids (stop tokens excluded)
 * @param text   the whole output text (stop string excluded)
 * @param steps  one event per token, with logprobs when asked
 * @param reason why it ended
 * @param usage  token accounting
 * @param error  message when reason is ERROR, else null
 */
public record GenerationResult(int[] tokens, String text, List<GenerationEvent.Token> steps,
                               FinishReason reason, Usage usage, String error) {
}
