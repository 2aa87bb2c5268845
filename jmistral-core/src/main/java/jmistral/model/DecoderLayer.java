package jmistral.model;

import jmistral.model.ForwardProbe.Part;
import jmistral.tensor.ComputePool;
import jmistral.tensor.VectorMath;

/**
 * One transformer block over all tokens of a step:
 * x += Wo·attention(rope(Wq·n), rope(Wk·n), Wv·n) with n = rmsnorm(x); then x += Wdown·(silu(Wgate·n)*(Wup·n))
 * with n = rmsnorm(x). Each matmul covers every token of the batch, so weights are read once per step.
 */
final class DecoderLayer {
    private final int index;
    private final LayerWeights w;
    private final TextConfig c;
    private final Rope rope;
    private final Attention attention;

    DecoderLayer(int index, LayerWeights w, TextConfig c, Rope rope, Attention attention) {
        this.index = index;
        this.w = w;
        this.c = c;
        this.rope = rope;
        this.attention = attention;
    }

    /** The layer over the batch's tokens in s.x (updated in place), each part timed by the probe. */
    void forward(ForwardBatch b, Scratch s, ForwardProbe probe) {
        int T = b.total, dim = c.dim(), l = index;
        long t = probe.start();
        // attention
        norm(s, T, w.attnNorm());
        t = probe.lap(Part.NORM, l, t);
        w.wq().matmul(s.xb, T, s.q); // [T][nHeads*hd]
        t = probe.lap(Part.WQ, l, t);
        w.wk().matmul(s.xb, T, s.k); // [T][nKv*hd]
        t = probe.lap(Part.WK, l, t);
        w.wv().matmul(s.xb, T, s.v); // [T][nKv*hd]
        t = probe.lap(Part.WV, l, t);
        rope.apply(s.q, T, c.nHeads(), s.cos, s.sin);
        rope.apply(s.k, T, c.nKvHeads(), s.cos, s.sin);
        t = probe.lap(Part.ROPE, l, t);
        storeKv(b, s);
        t = probe.lap(Part.KV_STORE, l, t);
        attention.run(index, b, s.q, s.att);
        t = probe.lap(Part.ATTENTION, l, t);
        w.wo().matmul(s.att, T, s.o); // [T][dim]
        t = probe.lap(Part.WO, l, t);
        addTokens(s.x, s.o, T, dim);
        t = probe.lap(Part.RESIDUAL, l, t);
        // feed-forward
        norm(s, T, w.ffnNorm());
        t = probe.lap(Part.NORM, l, t);
        w.wGate().matmul(s.xb, T, s.gate); // [T][hidden]
        t = probe.lap(Part.W_GATE, l, t);
        w.wUp().matmul(s.xb, T, s.up);     // [T][hidden]
        t = probe.lap(Part.W_UP, l, t);
        int hidden = c.hiddenDim();
        ComputePool.current().parallelForRange(T, (t0, t1) -> VectorMath.swiglu(s.gate, t0 * hidden, s.up, t0 * hidden, (t1 - t0) * hidden));
        t = probe.lap(Part.SWIGLU, l, t);
        w.wDown().matmul(s.gate, T, s.o);  // [T][dim]
        t = probe.lap(Part.W_DOWN, l, t);
        addTokens(s.x, s.o, T, dim);
        probe.lap(Part.RESIDUAL, l, t);
    }

    /*
     * The element-wise parts run over the pool by tokens too: on one thread, between two matmuls
     * that keep both cores busy, the other core idled for them (swiglu of 512 x 32768 floats about
     * 0.6% of a 512-token prefill).
     */

    /** s.xb [T][dim] = rmsnorm(s.x) with the given weight, tokens split over the pool. */
    private void norm(Scratch s, int T, float[] weight) {
        int dim = c.dim();
        float eps = (float) c.normEps();
        ComputePool.current().parallelForRange(T, (t0, t1) -> {
            for (int i = t0; i < t1; i++) VectorMath.rmsnorm(s.xb, i * dim, s.x, i * dim, weight, eps, dim);
        });
    }

    /** x [T][dim] += o, tokens split over the pool. */
    private static void addTokens(float[] x, float[] o, int T, int dim) {
        ComputePool.current().parallelForRange(T, (t0, t1) -> VectorMath.add(x, t0 * dim, o, t0 * dim, (t1 - t0) * dim));
    }

    /** Writes each token's K and V rows into its sequence's cache block, at its position. */
    private void storeKv(ForwardBatch b, Scratch s) {
        int nKv = c.nKvHeads(), hd = c.headDim();
        for (int e = 0; e < b.seqs.length; e++) {
            PagedSequence seq = b.seqs[e];
            PagedKvCache pool = seq.pool;
            for (int i = 0; i < b.count[e]; i++) {
                int t = b.start[e] + i, pos = b.pos0[e] + i;
                int block = seq.block(pos), slot = pos % pool.blockSize;
                for (int h = 0; h < nKv; h++) {
                    long row = pool.row(block, h) + slot;
                    pool.keys[index].write(row, s.k, (t * nKv + h) * hd);
                    pool.values[index].write(row, s.v, (t * nKv + h) * hd);
                }
            }
        }
    }
}
