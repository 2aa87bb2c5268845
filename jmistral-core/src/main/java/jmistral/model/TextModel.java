package jmistral.model;

import jmistral.model.ForwardProbe.Part;
import jmistral.tensor.VectorMath;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Mistral text decoder (model-arch.md section 1) over a {@link Checkpoint}. forward() runs any
 * mix of prefill chunks and decode tokens in one pass; KV lives in a {@link PagedKvCache}.
 */
public final class TextModel implements LanguageModel {
    private final TextConfig c;
    private final Checkpoint w;
    private final Rope rope;
    private final DecoderLayer[] layers;
    private final AutoCloseable owner;
    /** The buffers of the last step, for the next (see {@link Scratch}); null while a step uses them. */
    private final AtomicReference<Scratch> spare = new AtomicReference<>();
    /**
     * Steps of up to this many tokens keep their buffers for the next step (512: ~180 MB at Mistral
     * Small's sizes); a larger step's buffers are dropped when it ends, so that one long unchunked
     * prompt does not hold gigabytes.
     */
    static final int KEPT_SCRATCH_TOKENS = 512;
    /**
     * A logits array handed back ({@link #recycle}) or done with (a batch's copied out), for the next step of the same
     * size. Why: a decode step's logits are 512 KB, and fresh heap memory costs the JVM a page fault per 4 KB on first
     * touch: the Q8_0 2-layer model's decode profile showed 1.7-2.8 ms per token for that allocation (0.08-0.1 with
     * the heap pre-touched, {@code -XX:+AlwaysPreTouch}), 3-4% of the step, until the young generation had been
     * touched once, which takes hundreds of tokens.
     */
    private final AtomicReference<float[]> spareLogits = new AtomicReference<>();

    /** @param owner closed with the model (the tensor source the checkpoint maps), or null */
    public TextModel(Checkpoint checkpoint, AutoCloseable owner) {
        this.c = checkpoint.config();
        this.w = checkpoint;
        this.owner = owner;
        this.rope = new Rope(c.headDim(), c.ropeTheta(), checkpoint.rope());
        Attention attention = new Attention(c);
        this.layers = new DecoderLayer[c.nLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = new DecoderLayer(l, w.layers()[l], c, rope, attention);
    }

    @Override
    public TextConfig config() { return c; }

    public Checkpoint checkpoint() { return w; }

    @Override
    public KvCache createCache(int maxTokens, KvCacheType type) {
        return new PagedKvCache(c, maxTokens, type, PagedKvCache.DEFAULT_BLOCK_SIZE, MemoryBudget.kvCacheBytes(w.residentBytes()));
    }

    @Override
    public List<float[]> forward(List<BatchEntry> batch) {
        return forward(batch, ForwardProbe.NONE);
    }

    /** As {@link #forward(List)}, each part of the pass timed by the probe (a per-token profile). */
    public List<float[]> forward(List<BatchEntry> batch, ForwardProbe probe) {
        long t = probe.start();
        ForwardBatch b = new ForwardBatch(batch, c);
        for (int e = 0; e < b.seqs.length; e++) b.seqs[e].reserve(b.pos0[e] + b.count[e]);
        int T = b.total;
        Scratch s = spare.getAndSet(null);
        if (s == null || s.capacity < T) s = new Scratch(c, T); // none kept, or too small for this step
        s.useRope(rope.table(b.positions));
        try {
            t = probe.lap(Part.SETUP, -1, t);
            embed(b, s.x);
            probe.lap(Part.EMBED, -1, t);
            for (DecoderLayer layer : layers) layer.forward(b, s, probe);
            for (int e = 0; e < b.seqs.length; e++) b.seqs[e].advance(b.count[e]);
            return logits(b, s, probe);
        } finally {
            if (s.capacity <= KEPT_SCRATCH_TOKENS) spare.set(s);
        }
    }

    /** x [T][dim] = embedding rows of the tokens, or the caller's embedding where given. */
    private void embed(ForwardBatch b, float[] x) {
        int dim = c.dim();
        for (int e = 0; e < b.seqs.length; e++) {
            float[][] given = b.entries.get(e).embeddings();
            for (int i = 0; i < b.count[e]; i++) {
                int t = b.start[e] + i;
                if (given != null && given[i] != null) System.arraycopy(given[i], 0, x, t * dim, dim);
                else w.embedding().dequantizeRow(b.tokens[t], x, t * dim);
            }
        }
    }

    /** Final norm and output projection for the rows callers asked for: per entry [vocab] or [count][vocab]. */
    private List<float[]> logits(ForwardBatch b, Scratch s, ForwardProbe probe) {
        long t = probe.start();
        int dim = c.dim(), vocab = c.vocabSize();
        int rows = 0;
        for (int e = 0; e < b.seqs.length; e++) rows += b.entries.get(e).allLogits() ? b.count[e] : 1;
        float[] xn = new float[rows * dim];                 // [rows][dim]
        int r = 0;
        for (int e = 0; e < b.seqs.length; e++) {
            int first = b.entries.get(e).allLogits() ? 0 : b.count[e] - 1;
            for (int i = first; i < b.count[e]; i++, r++) {
                VectorMath.rmsnorm(xn, r * dim, s.x, (b.start[e] + i) * dim, w.finalNorm(), (float) c.normEps(), dim);
            }
        }
        float[] all = logitsArray(Math.multiplyExact(rows, vocab)); // [rows][vocab]
        t = probe.lap(Part.FINAL_NORM, -1, t);
        w.output().matmul(xn, rows, all);
        probe.lap(Part.OUTPUT, -1, t);
        List<float[]> out = new ArrayList<>(b.seqs.length);
        r = 0;
        for (int e = 0; e < b.seqs.length; e++) {
            int n = b.entries.get(e).allLogits() ? b.count[e] : 1;
            if (b.seqs.length == 1) out.add(all);
            else out.add(java.util.Arrays.copyOfRange(all, r * vocab, (r + n) * vocab));
            r += n;
        }
        if (b.seqs.length > 1) spareLogits.set(all); // each entry got a copy
        return out;
    }

    /** An array of n floats for logits: the spare one if it has that size (every element is overwritten), else new. */
    private float[] logitsArray(int n) {
        float[] a = spareLogits.get();
        return a != null && a.length == n && spareLogits.compareAndSet(a, null) ? a : new float[n];
    }

    @Override
    public void recycle(List<float[]> logits) {
        if (logits.size() == 1) spareLogits.set(logits.getFirst());
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the model files failed: " + e.getMessage(), e);
            }
        }
    }
}
