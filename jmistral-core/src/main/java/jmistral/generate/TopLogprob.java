package jmistral.generate;

/** One alternative of a step's distribution: a token and its natural-log probability. */
public record TopLogprob(int token, float logprob) {
}
