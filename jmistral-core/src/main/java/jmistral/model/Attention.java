package jmistral.model;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import jdk.incubator.vector.FloatVector;
import jmistral.tensor.ComputePool;
import jmistral.tensor.VectorMath;

/**
 * Causal grouped-query attention over the paged KV cache, streamed block by block with an online
 * softmax in f32 (scores for at most one block at a time; never T x T). Work is split into tasks
 * (sequence, kv head, tile of query tokens) run in parallel: each task loads one cache block of its kv
 * head once and uses it for all query heads of the group and all tokens of the tile.
 */
final class Attention {
    /** Query tokens per task: bounds per-task scratch while prefill chunks still reuse each loaded block. */
    static final int TILE = 16;

    private final int nHeads, nKvHeads, headDim;
    private final float scale;

    Attention(TextConfig c) {
        this.nHeads = c.nHeads();
        this.nKvHeads = c.nKvHeads();
        this.headDim = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /**
     * q: [T][nHeads*headDim] (after RoPE); out: [T][nHeads*headDim]. The keys and values of the
     * batch's tokens must already be in the cache for this layer.
     */
    void run(int layer, ForwardBatch b, float[] q, float[] out) {
        int n = b.seqs.length;
        int[] firstTask = new int[n + 1]; // tasks of entry e: firstTask[e] .. firstTask[e+1]-1
        for (int e = 0; e < n; e++) firstTask[e + 1] = firstTask[e] + nKvHeads * ((b.count[e] + TILE - 1) / TILE);
        ComputePool.current().parallelFor(firstTask[n], task -> {
            int e = 0;
            while (firstTask[e + 1] <= task) e++;
            int local = task - firstTask[e];
            int kvHead = local % nKvHeads, tile = local / nKvHeads;
            int from = tile * TILE, to = Math.min(b.count[e], from + TILE);
            attendTile(layer, b, e, kvHead, from, to, q, out);
        });
    }

    /**
     * Query tokens from..to-1 of entry e, all query heads sharing kvHead. Per cache block: the keys
     * transposed once ([hd][bs]) so that each query's scores for the whole block come out as vectors
     * ({@link #scores}), the block's softmax update in vectors, and the values added with the
     * output kept in registers ({@link #accumulate}); the plain version (a dot product, a scalar exp
     * and an axpy per key) ran at about 24 GFLOP/s on a 4096-token prefill.
     */
    private void attendTile(int layer, ForwardBatch b, int e, int kvHead, int from, int to, float[] q, float[] out) {
        PagedSequence seq = b.seqs[e];
        PagedKvCache pool = seq.pool;
        int bs = pool.blockSize, hd = headDim, group = nHeads / nKvHeads;
        int nq = (to - from) * group;        // query vectors of this task, index qi = t*group + g
        float[] qs = new float[nq * hd];     // the queries times 1/sqrt(hd)  [nq][hd]
        for (int t = from; t < to; t++) {
            for (int g = 0; g < group; g++) {
                int qi = (t - from) * group + g, qOff = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
                for (int d = 0; d < hd; d++) qs[qi * hd + d] = q[qOff + d] * scale;
            }
        }
        float[] m = new float[nq];           // running max score
        float[] l = new float[nq];           // running sum of exp(score - m)
        float[] acc = new float[nq * hd];    // running sum of p * v  [nq][hd]
        float[] kb = new float[bs * hd];     // one block of keys    [bs][hd]
        float[] kt = new float[hd * bs];     // the same, transposed [hd][bs]
        float[] vb = new float[bs * hd];     // one block of values  [bs][hd]
        float[] s = new float[bs];           // one query's scores, then probabilities, over the block
        java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
        int lastPos = b.pos0[e] + to - 1;
        for (int blk = 0; blk * bs <= lastPos; blk++) {
            int slots = Math.min(bs, lastPos + 1 - blk * bs);
            long row = pool.row(seq.block(blk * bs), kvHead);
            pool.keys[layer].read(row, slots, kb, 0);
            pool.values[layer].read(row, slots, vb, 0);
            for (int j = 0; j < slots; j++) {
                for (int d = 0; d < hd; d++) kt[d * bs + j] = kb[j * hd + d];
            }
            for (int t = from; t < to; t++) {
                int visible = Math.min(slots, b.pos0[e] + t + 1 - blk * bs); // causal
                if (visible <= 0) continue;
                for (int g = 0; g < group; g++) {
                    int qi = (t - from) * group + g;
                    scores(qs, qi * hd, kt, bs, hd, s);
                    float corr = VectorMath.onlineSoftmaxStep(s, 0, visible, m, l, qi); // s[j] = p_j now
                    accumulate(acc, qi * hd, corr, s, visible, vb, hd);
                }
            }
        }
        for (int t = from; t < to; t++) {
            for (int g = 0; g < group; g++) {
                int qi = (t - from) * group + g;
                int o = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
                float inv = 1f / l[qi];
                for (int d = 0; d < hd; d++) out[o + d] = acc[qi * hd + d] * inv;
            }
        }
    }

    /**
     * s[j] = q[qOff ..] . key j for j < bs, keys transposed in kt [hd][bs]: per LANES keys, each query
     * value broadcast into an FMA with a row of kt, four accumulators (the FMA latency).
     */
    static void scores(float[] q, int qOff, float[] kt, int bs, int hd, float[] s) {
        int c = 0;
        for (int bound = F.loopBound(bs); c < bound; c += LANES) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int d = 0;
            for (; d + 4 <= hd; d += 4) {
                a0 = FloatVector.broadcast(F, q[qOff + d]).fma(FloatVector.fromArray(F, kt, d * bs + c), a0);
                a1 = FloatVector.broadcast(F, q[qOff + d + 1]).fma(FloatVector.fromArray(F, kt, (d + 1) * bs + c), a1);
                a2 = FloatVector.broadcast(F, q[qOff + d + 2]).fma(FloatVector.fromArray(F, kt, (d + 2) * bs + c), a2);
                a3 = FloatVector.broadcast(F, q[qOff + d + 3]).fma(FloatVector.fromArray(F, kt, (d + 3) * bs + c), a3);
            }
            for (; d < hd; d++) a0 = FloatVector.broadcast(F, q[qOff + d]).fma(FloatVector.fromArray(F, kt, d * bs + c), a0);
            a0.add(a1).add(a2.add(a3)).intoArray(s, c);
        }
        for (; c < bs; c++) { // block sizes that are not a multiple of the lanes
            float sum = 0;
            for (int d = 0; d < hd; d++) sum += q[qOff + d] * kt[d * bs + c];
            s[c] = sum;
        }
    }

    /**
     * acc[aOff .. aOff+hd) = acc * corr + sum over j < n of p[j] * v[j*hd ..]: four LANES-wide slices
     * of the output at a time stay in registers across the keys.
     */
    static void accumulate(float[] acc, int aOff, float corr, float[] p, int n, float[] v, int hd) {
        int c = 0;
        for (; c + 4 * LANES <= hd; c += 4 * LANES) {
            FloatVector a0 = FloatVector.fromArray(F, acc, aOff + c).mul(corr);
            FloatVector a1 = FloatVector.fromArray(F, acc, aOff + c + LANES).mul(corr);
            FloatVector a2 = FloatVector.fromArray(F, acc, aOff + c + 2 * LANES).mul(corr);
            FloatVector a3 = FloatVector.fromArray(F, acc, aOff + c + 3 * LANES).mul(corr);
            for (int j = 0; j < n; j++) {
                FloatVector pj = FloatVector.broadcast(F, p[j]);
                int vj = j * hd + c;
                a0 = pj.fma(FloatVector.fromArray(F, v, vj), a0);
                a1 = pj.fma(FloatVector.fromArray(F, v, vj + LANES), a1);
                a2 = pj.fma(FloatVector.fromArray(F, v, vj + 2 * LANES), a2);
                a3 = pj.fma(FloatVector.fromArray(F, v, vj + 3 * LANES), a3);
            }
            a0.intoArray(acc, aOff + c);
            a1.intoArray(acc, aOff + c + LANES);
            a2.intoArray(acc, aOff + c + 2 * LANES);
            a3.intoArray(acc, aOff + c + 3 * LANES);
        }
        for (; c < hd; c++) { // head sizes that are not a multiple of 4 x LANES
            float a = acc[aOff + c] * corr;
            for (int j = 0; j < n; j++) a += p[j] * v[j * hd + c];
            acc[aOff + c] = a;
        }
    }
}
