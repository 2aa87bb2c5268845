package jmistral.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jmistral.generate.LogitsProcessors;
import jmistral.model.BatchEntry;
import jmistral.model.Checkpoint;
import jmistral.model.ForwardProbe;
import jmistral.model.KvCache;
import jmistral.model.LoadedModel;
import jmistral.model.SequenceCache;
import jmistral.model.TextModel;
import jmistral.tensor.ComputePool;
import jmistral.tensor.Matrix;

/**
 * Prefill and decode speed of a loaded model, and how much of the machine's memory bandwidth decode
 * uses (decode reads every weight once per token, so bandwidth bounds it): what {@code jmistral bench}
 * runs. The prompt is random tokens (fixed seed), decode is greedy.
 */
public final class ModelBench {

    private static final int WARMUP_STEPS = 16;
    private static final int BANDWIDTH_PASSES = 5;

    private ModelBench() {
    }

    public static BenchReport run(LoadedModel loaded, BenchOptions o) {
        TextModel m = loaded.model();
        int vocab = m.config().vocabSize();
        int[] prompt = new SplittableRandom(1).ints(o.promptTokens(), Math.min(1000, vocab - 1), vocab).toArray();
        double prefill, decode;
        TokenProfile profile = null;
        BatchBench.Report batched = null;
        int kvTokens = (o.promptTokens() + o.genTokens() + 64) * (1 + Math.max(o.batch(), 1));   // room for the batch's own tokens
        try (KvCache kv = m.createCache(kvTokens, o.kvType())) {
            warmUp(m, kv, Arrays.copyOf(prompt, Math.min(prompt.length, o.prefillChunk())));
            try (SequenceCache seq = kv.newSequence()) {
                long t0 = System.nanoTime();
                float[] logits = prefill(m, seq, prompt, o.prefillChunk(), ForwardProbe.NONE);
                long t1 = System.nanoTime();
                for (int i = 0; i < o.genTokens(); i++) {
                    int next = LogitsProcessors.argmax(logits, 0, vocab);
                    m.recycle(List.of(logits)); // as the scheduler hands each step's logits back once sampled
                    logits = m.forward(List.of(BatchEntry.of(seq, next))).getFirst();
                }
                long t2 = System.nanoTime();
                prefill = o.promptTokens() / ((t1 - t0) / 1e9);
                decode = o.genTokens() / ((t2 - t1) / 1e9);
            }
            if (o.batch() > 0) batched = BatchBench.run(m, kv, prompt, o.batch(), o.genTokens(), o.draftTokens(), o.profile());
            if (o.profile()) profile = TokenProfile.measure(m, kv, prompt, o.prefillChunk(), o.genTokens());
        }
        double bandwidth = MemoryBandwidth.measure((long) o.bandwidthMb() << 20, BANDWIDTH_PASSES);
        Checkpoint c = m.checkpoint();
        return new BenchReport(loaded.path(), m.config().nLayers(), m.config().dim(), c.layers()[0].wq().type().toString(),
                ComputePool.current().threads(), o.promptTokens(), prefill, o.genTokens(), decode,
                weightBytesPerToken(c), o.bandwidthMb(), bandwidth, profile, batched);
    }

    /**
     * Page-in of the weights and JIT of both paths, so neither timing includes kernels still running
     * interpreted or in C1: one forward of {@code prompt} (a whole prefill chunk, as llama-bench's
     * warm-up runs the whole prompt: a 48-token warm-up left the GEMM's C2 code unfinished, and the
     * timed 512-token prefill then read 94-107 tok/s against 119 for a second prefill in the same
     * process), then a few decode steps.
     */
    static void warmUp(TextModel m, KvCache kv, int[] prompt) {
        try (SequenceCache warm = kv.newSequence()) {
            m.forward(List.of(BatchEntry.of(warm, prompt)));
            for (int i = 0; i < WARMUP_STEPS; i++) m.forward(List.of(BatchEntry.of(warm, prompt[i % prompt.length])));
        }
    }

    /** Forwards the prompt chunk after chunk (as the scheduler prefills a long prompt); the last token's logits. */
    static float[] prefill(TextModel m, SequenceCache seq, int[] prompt, int chunk, ForwardProbe probe) {
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += chunk) {
            int[] part = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + chunk));
            logits = m.forward(List.of(BatchEntry.of(seq, part)), probe).getFirst();
        }
        return logits;
    }

    /**
     * Bytes of weights one decode step reads: every matrix but the embedding (one row of it is read), a matrix with a
     * copy in row tiles by its copy's bytes.
     */
    public static long weightBytesPerToken(Checkpoint c) {
        long read = c.bytes() - bytesInPlace(c.embedding());
        for (Matrix m : c.matrices()) if (m.copiedBytes() > 0) read += m.copiedBytes() - bytesInPlace(m);
        return read;
    }

    private static long bytesInPlace(Matrix m) {
        return m.type().bytesFor((long) m.rows() * m.cols());
    }
}
