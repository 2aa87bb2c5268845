package jmistral.generate;

/**
 * Scheduler limits.
 *
 * @param maxParallel        sequences in the running batch at most
 * @param maxQueue           requests waiting for a place at most; more get {@link QueueFullException}
 * @param maxBatchTokens     tokens forwarded per step at most (decode tokens first, then prompt chunks:
 *                           long prompts are prefilled in chunks so running sequences keep decoding)
 * @param maxContext         tokens per sequence at most (prompt + completion); 0 = the model's context.
 *                           Also capped by the KV cache's capacity.
 * @param prefixCacheEntries finished sequences kept for prefix reuse (LRU; evicted first when KV blocks
 *                           are short); 0 disables the prefix cache
 * @param loopGuard          default loop detection (a request may override it)
 * @param speculation        speculative decoding by prompt lookup ({@link Speculation#OFF} for plain decoding)
 */
public record SchedulerConfig(int maxParallel, int maxQueue, int maxBatchTokens, int maxContext,
                              int prefixCacheEntries, LoopGuard.Config loopGuard, Speculation speculation) {

    public SchedulerConfig {
        if (maxParallel < 1) throw new IllegalArgumentException("maxParallel must be >= 1, got " + maxParallel);
        if (maxQueue < 0) throw new IllegalArgumentException("maxQueue must be >= 0, got " + maxQueue);
        if (maxBatchTokens < 1) throw new IllegalArgumentException("maxBatchTokens must be >= 1, got " + maxBatchTokens);
        if (maxContext < 0) throw new IllegalArgumentException("maxContext must be >= 0, got " + maxContext);
        if (prefixCacheEntries < 0) throw new IllegalArgumentException("prefixCacheEntries must be >= 0");
        if (loopGuard == null) loopGuard = LoopGuard.Config.DEFAULT;
        if (speculation == null) speculation = Speculation.DEFAULT;
    }

    /** 8 parallel, 64 waiting, 512 tokens per step, the model's context, 32 cached prefixes, speculation on. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(8, 64, 512, 0, 32, LoopGuard.Config.DEFAULT, Speculation.DEFAULT);
    }

    public SchedulerConfig withMaxParallel(int v) { return new SchedulerConfig(v, maxQueue, maxBatchTokens, maxContext, prefixCacheEntries, loopGuard, speculation); }
    public SchedulerConfig withMaxQueue(int v) { return new SchedulerConfig(maxParallel, v, maxBatchTokens, maxContext, prefixCacheEntries, loopGuard, speculation); }
    public SchedulerConfig withMaxBatchTokens(int v) { return new SchedulerConfig(maxParallel, maxQueue, v, maxContext, prefixCacheEntries, loopGuard, speculation); }
    public SchedulerConfig withMaxContext(int v) { return new SchedulerConfig(maxParallel, maxQueue, maxBatchTokens, v, prefixCacheEntries, loopGuard, speculation); }
    public SchedulerConfig withPrefixCacheEntries(int v) { return new SchedulerConfig(maxParallel, maxQueue, maxBatchTokens, maxContext, v, loopGuard, speculation); }
    public SchedulerConfig withLoopGuard(LoopGuard.Config v) { return new SchedulerConfig(maxParallel, maxQueue, maxBatchTokens, maxContext, prefixCacheEntries, v, speculation); }
    public SchedulerConfig withSpeculation(Speculation v) { return new SchedulerConfig(maxParallel, maxQueue, maxBatchTokens, maxContext, prefixCacheEntries, loopGuard, v); }
}
