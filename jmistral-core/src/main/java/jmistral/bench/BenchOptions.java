package jmistral.bench;

import jmistral.model.KvCacheType;

/**
 * What {@link ModelBench} runs: a prefill of {@code promptTokens} random tokens, then
 * {@code genTokens} greedy decode steps, then a memory-bandwidth test over a buffer of
 * {@code bandwidthMb} MB.
 *
 * @param kvType  element type of the KV cache the bench allocates
 * @param profile also run a profiled prefill and decode ({@link TokenProfile}) after the timed ones
 */
public record BenchOptions(int promptTokens, int genTokens, int bandwidthMb, KvCacheType kvType, boolean profile) {

    public BenchOptions {
        if (promptTokens < 1) throw new IllegalArgumentException("prompt tokens must be >= 1, got " + promptTokens);
        if (genTokens < 1) throw new IllegalArgumentException("generated tokens must be >= 1, got " + genTokens);
        if (bandwidthMb < 1) throw new IllegalArgumentException("bandwidth buffer must be >= 1 MB, got " + bandwidthMb);
        if (kvType == null) throw new IllegalArgumentException("kvType is required");
    }

    /** The CLI's defaults: 512 prompt tokens, 128 decode steps, a 1 GB bandwidth buffer, f16 KV, no profile. */
    public static BenchOptions defaults() {
        return new BenchOptions(512, 128, 1024, KvCacheType.F16, false);
    }
}
