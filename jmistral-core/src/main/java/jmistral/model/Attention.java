package jmistral.model;

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
        ComputePool.shared().parallelFor(firstTask[n], task -> {
            int e = 0;
            while (firstTask[e + 1] <= task) e++;
            int local = task - firstTask[e];
            int kvHead = local % nKvHeads, tile = local / nKvHeads;
            int from = tile * TILE, to = Math.min(b.count[e], from + TILE);
            attendTile(layer, b, e, kvHead, from, to, q, out);
        });
    }

    /** Query tokens from..to-1 of entry e, all query heads sharing kvHead. */
    private void attendTile(int layer, ForwardBatch b, int e, int kvHead, int from, int to, float[] q, float[] out) {
        PagedSequence seq = b.seqs[e];
        PagedKvCache pool = seq.pool;
        int bs = pool.blockSize, hd = headDim, group = nHeads / nKvHeads;
        int nq = (to - from) * group;        // query vectors of this task, index qi = t*group + g
        float[] m = new float[nq];           // running max score
        float[] l = new float[nq];           // running sum of exp(score - m)
        float[] acc = new float[nq * hd];    // running sum of p * v  [nq][hd]
        float[] kb = new float[bs * hd];     // one block of keys    [bs][hd]
        float[] vb = new float[bs * hd];     // one block of values  [bs][hd]
        float[] s = new float[bs];           // scores of one query against the block
        java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
        int lastPos = b.pos0[e] + to - 1;
        for (int blk = 0; blk * bs <= lastPos; blk++) {
            int slots = Math.min(bs, lastPos + 1 - blk * bs);
            long row = pool.row(seq.block(blk * bs), kvHead);
            pool.keys[layer].read(row, slots, kb, 0);
            pool.values[layer].read(row, slots, vb, 0);
            for (int t = from; t < to; t++) {
                int visible = Math.min(slots, b.pos0[e] + t + 1 - blk * bs); // causal
                if (visible <= 0) continue;
                for (int g = 0; g < group; g++) {
                    int qi = (t - from) * group + g;
                    int qOff = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
                    float mx = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        s[j] = VectorMath.dot(q, qOff, kb, j * hd, hd) * scale;
                        mx = Math.max(mx, s[j]);
                    }
                    float newM = Math.max(m[qi], mx);
                    float corr = (float) Math.exp(m[qi] - newM); // 0 on the first block
                    int a = qi * hd;
                    if (corr != 1f) {
                        l[qi] *= corr;
                        VectorMath.scale(acc, a, corr, hd);
                    }
                    for (int j = 0; j < visible; j++) {
                        float p = (float) Math.exp(s[j] - newM);
                        l[qi] += p;
                        VectorMath.axpy(p, vb, j * hd, acc, a, hd);
                    }
                    m[qi] = newM;
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
}
