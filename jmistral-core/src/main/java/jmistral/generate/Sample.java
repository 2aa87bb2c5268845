package jmistral.generate;

import java.util.List;

/**
 * One sampled token.
 *
 * @param token   the chosen id
 * @param logprob its log-probability under the model's raw distribution (NaN when logprobs were not asked)
 * @param top     the most likely tokens of that distribution, most likely first (empty when not asked)
 */
public record Sample(int token, float logprob, List<TopLogprob> top) {
}
