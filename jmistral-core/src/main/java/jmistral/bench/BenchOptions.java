package jmistral.bench;

import jmistral.generate.SchedulerConfig;
import jmistral.model.KvCacheType;

/**
 * What {@link ModelBench} runs: a prefill of {@code promptTokens} random tokens, then
 * {@code genTokens} greedy decode steps, then a memory-bandwidth test over a buffer of
 * {@code bandwidthMb} MB.
 *
 * @param kvType  element type of the KV cache the bench allocates
 * @param prefillChunk prompt tokens forwarded per step, as the scheduler chunks long prompts (its
 *                default {@code maxBatchTokens}); the prompt is prefilled chunk after chunk
 * @param profile also run a profiled prefill and decode ({@link TokenProfile}) after the timed ones
 * @param batch   0 = no batch measures; N >= 1 = also {@link BatchBench}: N sequences decoding together
 *                (when N > 1), and the verify timing and speculative run with draftTokens
 * @param draftTokens K of the verify timing and the speculative run; 0 = neither
 */
public record BenchOptions(int promptTokens, int genTokens, int bandwidthMb, KvCacheType kvType, int prefillChunk,
                           boolean profile, int batch, int draftTokens) {

    public BenchOptions {
        if (promptTokens < 1) throw new IllegalArgumentException("prompt tokens must be >= 1, got " + promptTokens);
        if (genTokens < 1) throw new IllegalArgumentException("generated tokens must be >= 1, got " + genTokens);
        if (bandwidthMb < 1) throw new IllegalArgumentException("bandwidth buffer must be >= 1 MB, got " + bandwidthMb);
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill chunk must be >= 1 token, got " + prefillChunk);
        if (kvType == null) throw new IllegalArgumentException("kvType is required");
        if (batch < 0) throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        if (draftTokens < 0) throw new IllegalArgumentException("draft tokens must be >= 0, got " + draftTokens);
    }

    /** The CLI's defaults: 512 prompt tokens, 128 decode steps, a 1 GB bandwidth buffer, f16 KV, the scheduler's chunks, no profile, no batch measures. */
    public static BenchOptions defaults() {
        return new BenchOptions(512, 128, 1024, KvCacheType.F16, SchedulerConfig.defaults().maxBatchTokens(), false, 0, 8);
    }
}
