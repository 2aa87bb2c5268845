package jmistral.generate;

/**
 * A snapshot of the scheduler for /metrics (gauges and monotonic counters).
 *
 * @param waiting             requests waiting for a place
 * @param running             sequences in the batch
 * @param kvBlocksTotal       KV blocks in the pool
 * @param kvBlocksUsed        KV blocks in use (running sequences and cached prefixes)
 * @param prefixCacheEntries  finished sequences kept for prefix reuse
 * @param requestsFinished    requests ended (any reason)
 * @param promptTokens        prompt tokens of admitted requests
 * @param cachedPromptTokens  prompt tokens taken from the prefix cache instead of computed
 * @param generatedTokens     tokens sampled
 * @param forwardedTokens     tokens run through the model
 * @param steps               forward steps run
 * @param preemptions         sequences pushed back to the queue to free KV blocks (recomputed later)
 * @param draftedTokens       speculative draft tokens forwarded for verification
 * @param acceptedTokens      draft tokens accepted (each one a token gained without a step of its own)
 */
public record SchedulerMetrics(int waiting, int running, int kvBlocksTotal, int kvBlocksUsed,
                               int prefixCacheEntries, long requestsFinished, long promptTokens,
                               long cachedPromptTokens, long generatedTokens, long forwardedTokens,
                               long steps, long preemptions, long draftedTokens, long acceptedTokens) {

    /** KV cache use in [0, 1]. */
    public double kvUsage() { return kvBlocksTotal == 0 ? 0 : (double) kvBlocksUsed / kvBlocksTotal; }

    /** Share of draft tokens accepted, in [0, 1]; 0 when none were drafted. */
    public double draftAcceptance() { return draftedTokens == 0 ? 0 : (double) acceptedTokens / draftedTokens; }
}
