package jmistral.model;

/**
 * One sequence's share of a forward step: the tokens to append to its cache (a prefill chunk or a
 * single decode token), at positions cache.length() .. cache.length() + tokens.length - 1.
 *
 * @param cache      the sequence; forward appends the tokens' keys and values to it
 * @param tokens     token ids to process
 * @param embeddings optional per-token input embeddings [tokens.length][dim]; a non-null row
 *                   replaces that token's embedding (image patches at [IMG] positions); may be null
 * @param allLogits  return logits for every token of the entry instead of only the last one
 */
public record BatchEntry(SequenceCache cache, int[] tokens, float[][] embeddings, boolean allLogits) {

    public static BatchEntry of(SequenceCache cache, int... tokens) {
        return new BatchEntry(cache, tokens, null, false);
    }
}
