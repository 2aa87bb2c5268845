package jmistral.model;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
    /** Each thread's task arrays ({@link TaskArrays}). */
    private final ThreadLocal<TaskArrays> taskArrays = ThreadLocal.withInitial(TaskArrays::new);

    /**
     * One task's working arrays, kept per thread and grown when a task needs more: made per task, a decode step's
     * tasks allocated about 28 KB per layer and kv head (some 9 MB per token for the 24B model), paid for in page
     * faults on fresh heap and then in young collections. A task resets what it accumulates into (the running max
     * and sum, the output sums) and writes what it reads; past a block's slots it computes scores from stale keys that
     * nothing reads.
     */
    private static final class TaskArrays {
        float[] queries = new float[0], max = queries, sum = queries, corr = queries, acc = queries;
        float[] keys = queries, keysT = queries, values = queries, scores = queries;

        static float[] atLeast(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

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
     * Query tokens from..to-1 of entry e, all query heads sharing kvHead, with the queries in the
     * vector lanes: the tile's nq = tokens x group query vectors are transposed once into qt
     * [hd][nqp] (nqp: nq rounded up to whole vectors), so that per cache block every key's scores for
     * all queries come out as vectors ({@link #scores}: a broadcast key value times a row of qt, no key
     * transpose), and the block's online-softmax update is vector arithmetic across queries (no
     * horizontal max or sum per query). Values are then added per query with its output slices in
     * registers ({@link #accumulate}). The previous layout (keys transposed per block and task, the
     * softmax along the keys) spent about a third of its time transposing and converting keys.
     */
    private void attendTile(int layer, ForwardBatch b, int e, int kvHead, int from, int to, float[] q, float[] out) {
        if ((to - from) * (nHeads / nKvHeads) < LANES) {
            attendKeysInLanes(layer, b, e, kvHead, from, to, q, out);
            return;
        }
        PagedSequence seq = b.seqs[e];
        PagedKvCache pool = seq.pool;
        int bs = pool.blockSize, hd = headDim, group = nHeads / nKvHeads;
        int nq = (to - from) * group;                   // query vectors of this task, index qi = t*group + g
        int nqp = (nq + LANES - 1) / LANES * LANES;     // lanes of a row of qt; padding lanes are zero queries
        TaskArrays w = taskArrays.get();
        float[] qt = w.queries = TaskArrays.atLeast(w.queries, hd * nqp); // the queries times 1/sqrt(hd), transposed [hd][nqp]
        java.util.Arrays.fill(qt, 0, hd * nqp, 0f);     // padding lanes are zero queries
        for (int t = from; t < to; t++) {
            for (int g = 0; g < group; g++) {
                int qi = (t - from) * group + g, qOff = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
                for (int d = 0; d < hd; d++) qt[d * nqp + qi] = q[qOff + d] * scale;
            }
        }
        float[] m = w.max = TaskArrays.atLeast(w.max, nqp);       // running max score per query
        float[] l = w.sum = TaskArrays.atLeast(w.sum, nqp);       // running sum of exp(score - m)
        float[] corr = w.corr = TaskArrays.atLeast(w.corr, nqp);  // exp(old max - new max) of the current block
        float[] acc = w.acc = TaskArrays.atLeast(w.acc, nq * hd); // running sum of p * v  [nq][hd]
        float[] kb = w.keys = TaskArrays.atLeast(w.keys, bs * hd);     // one block of keys    [bs][hd]
        float[] vb = w.values = TaskArrays.atLeast(w.values, bs * hd); // one block of values  [bs][hd]
        float[] s = w.scores = TaskArrays.atLeast(w.scores, bs * nqp); // scores, then probabilities, of the block [bs][nqp]
        java.util.Arrays.fill(m, 0, nqp, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(l, 0, nqp, 0f);
        java.util.Arrays.fill(acc, 0, nq * hd, 0f);
        int firstPos = b.pos0[e] + from, lastPos = b.pos0[e] + to - 1;
        for (int blk = 0; blk * bs <= lastPos; blk++) {
            int key0 = blk * bs, slots = Math.min(bs, lastPos + 1 - key0);
            long row = pool.row(seq.block(key0), kvHead);
            pool.keys[layer].read(row, slots, kb, 0);
            pool.values[layer].read(row, slots, vb, 0);
            scores(kb, slots, hd, qt, nqp, s);
            if (key0 + slots - 1 > firstPos) mask(s, slots, nqp, key0, b.pos0[e] + from, group, nq); // causal: the diagonal block
            softmaxStep(s, slots, nqp, m, l, corr);
            for (int qi = 0; qi < nq; qi++) accumulate(acc, qi * hd, corr[qi], s, qi, nqp, slots, vb, hd);
        }
        for (int qi = 0; qi < nq; qi++) {
            int t = from + qi / group, g = qi % group;
            int o = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
            float inv = 1f / l[qi];
            for (int d = 0; d < hd; d++) out[o + d] = acc[qi * hd + d] * inv;
        }
    }

    /**
     * The same with the keys in the lanes, for tiles of fewer queries than lanes (decode: one token's
     * group of heads), where queries in the lanes would compute mostly padding: per cache block the
     * keys are transposed once ([hd][bs]) so that each query's scores for the whole block come out as
     * vectors ({@link #keyScores}), then the block's softmax update along the keys. Measured on a
     * 1-layer attention model at 4096 tokens of context: 8.1-8.8 CPU-ms per decode token against
     * 10-13 with the queries in the lanes.
     */
    private void attendKeysInLanes(int layer, ForwardBatch b, int e, int kvHead, int from, int to, float[] q, float[] out) {
        PagedSequence seq = b.seqs[e];
        PagedKvCache pool = seq.pool;
        int bs = pool.blockSize, hd = headDim, group = nHeads / nKvHeads;
        int nq = (to - from) * group;        // query vectors of this task, index qi = t*group + g
        TaskArrays w = taskArrays.get();
        float[] qs = w.queries = TaskArrays.atLeast(w.queries, nq * hd); // the queries times 1/sqrt(hd)  [nq][hd], all written below
        for (int t = from; t < to; t++) {
            for (int g = 0; g < group; g++) {
                int qi = (t - from) * group + g, qOff = (b.start[e] + t) * nHeads * hd + (kvHead * group + g) * hd;
                for (int d = 0; d < hd; d++) qs[qi * hd + d] = q[qOff + d] * scale;
            }
        }
        float[] m = w.max = TaskArrays.atLeast(w.max, nq);        // running max score
        float[] l = w.sum = TaskArrays.atLeast(w.sum, nq);        // running sum of exp(score - m)
        float[] acc = w.acc = TaskArrays.atLeast(w.acc, nq * hd); // running sum of p * v  [nq][hd]
        float[] kb = w.keys = TaskArrays.atLeast(w.keys, bs * hd);     // one block of keys    [bs][hd]
        float[] kt = w.keysT = TaskArrays.atLeast(w.keysT, hd * bs);   // the same, transposed [hd][bs]; columns past a block's slots are stale, and their scores unread
        float[] vb = w.values = TaskArrays.atLeast(w.values, bs * hd); // one block of values  [bs][hd]
        float[] s = w.scores = TaskArrays.atLeast(w.scores, bs);       // one query's scores, then probabilities, over the block
        java.util.Arrays.fill(m, 0, nq, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(l, 0, nq, 0f);
        java.util.Arrays.fill(acc, 0, nq * hd, 0f);
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
                    keyScores(qs, qi * hd, kt, bs, hd, s);
                    float corr = VectorMath.onlineSoftmaxStep(s, 0, visible, m, l, qi); // s[j] = p_j now
                    accumulate(acc, qi * hd, corr, s, 0, 1, visible, vb, hd);
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
    static void keyScores(float[] q, int qOff, float[] kt, int bs, int hd, float[] s) {
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
     * s[j][..nqp) = key j . every query, for the block's keys j < slots (kb [slots][hd], qt [hd][nqp]):
     * two keys at a time, each key value broadcast into an FMA with a row of qt, so the qt rows loaded
     * serve both keys; four vectors of queries at a time (then one by one).
     */
    static void scores(float[] kb, int slots, int hd, float[] qt, int nqp, float[] s) {
        int c = 0;
        for (; c + 4 * LANES <= nqp; c += 4 * LANES) {
            int j = 0;
            for (; j + 2 <= slots; j += 2) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int k0 = j * hd, k1 = k0 + hd;
                for (int d = 0; d < hd; d++) {
                    int r = d * nqp + c;
                    FloatVector q0 = FloatVector.fromArray(F, qt, r), q1 = FloatVector.fromArray(F, qt, r + LANES);
                    FloatVector q2 = FloatVector.fromArray(F, qt, r + 2 * LANES), q3 = FloatVector.fromArray(F, qt, r + 3 * LANES);
                    FloatVector x = FloatVector.broadcast(F, kb[k0 + d]), y = FloatVector.broadcast(F, kb[k1 + d]);
                    a0 = q0.fma(x, a0);
                    a1 = q1.fma(x, a1);
                    a2 = q2.fma(x, a2);
                    a3 = q3.fma(x, a3);
                    b0 = q0.fma(y, b0);
                    b1 = q1.fma(y, b1);
                    b2 = q2.fma(y, b2);
                    b3 = q3.fma(y, b3);
                }
                int o = j * nqp + c;
                a0.intoArray(s, o);
                a1.intoArray(s, o + LANES);
                a2.intoArray(s, o + 2 * LANES);
                a3.intoArray(s, o + 3 * LANES);
                b0.intoArray(s, o + nqp);
                b1.intoArray(s, o + nqp + LANES);
                b2.intoArray(s, o + nqp + 2 * LANES);
                b3.intoArray(s, o + nqp + 3 * LANES);
            }
            for (; j < slots; j++) {
                scoresOneVector(kb, j, hd, qt, nqp, c, s);
                scoresOneVector(kb, j, hd, qt, nqp, c + LANES, s);
                scoresOneVector(kb, j, hd, qt, nqp, c + 2 * LANES, s);
                scoresOneVector(kb, j, hd, qt, nqp, c + 3 * LANES, s);
            }
        }
        for (; c < nqp; c += LANES) {
            for (int j = 0; j < slots; j++) scoresOneVector(kb, j, hd, qt, nqp, c, s);
        }
    }

    /** s[j][c .. c+LANES) = key j . queries c .. c+LANES (two accumulators for the FMA latency). */
    private static void scoresOneVector(float[] kb, int j, int hd, float[] qt, int nqp, int c, float[] s) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int d = 0, k = j * hd;
        for (; d + 2 <= hd; d += 2) {
            a0 = FloatVector.fromArray(F, qt, d * nqp + c).fma(FloatVector.broadcast(F, kb[k + d]), a0);
            a1 = FloatVector.fromArray(F, qt, (d + 1) * nqp + c).fma(FloatVector.broadcast(F, kb[k + d + 1]), a1);
        }
        if (d < hd) a0 = FloatVector.fromArray(F, qt, d * nqp + c).fma(FloatVector.broadcast(F, kb[k + d]), a0);
        a0.add(a1).intoArray(s, j * nqp + c);
    }

    /**
     * Causal mask of a block that reaches past the tile's first query: key key0 + j is hidden from
     * query qi (token pos0 + qi / group) when it comes after it. Padding lanes see every key.
     */
    private static void mask(float[] s, int slots, int nqp, int key0, int pos0, int group, int nq) {
        for (int j = 0; j < slots; j++) {
            int firstHidden = (key0 + j - pos0) * group; // queries below this index come before key j
            for (int qi = 0; qi < Math.min(nq, Math.max(0, firstHidden)); qi++) s[j * nqp + qi] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * The block's online-softmax update across all queries at once (queries in the lanes): per query
     * the block's max over its keys, new max, corr = exp(old max - new max) (0 on the first block),
     * s = exp(s - new max), l = l * corr + the block's sum of s.
     */
    static void softmaxStep(float[] s, int slots, int nqp, float[] m, float[] l, float[] corr) {
        for (int c = 0; c < nqp; c += LANES) {
            FloatVector blockMax = FloatVector.fromArray(F, s, c);
            for (int j = 1; j < slots; j++) blockMax = blockMax.max(FloatVector.fromArray(F, s, j * nqp + c));
            FloatVector oldMax = FloatVector.fromArray(F, m, c), newMax = oldMax.max(blockMax);
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < slots; j++) {
                FloatVector p = FloatVector.fromArray(F, s, j * nqp + c).sub(newMax).lanewise(VectorOperators.EXP);
                p.intoArray(s, j * nqp + c);
                sum = sum.add(p);
            }
            FloatVector k = oldMax.sub(newMax).lanewise(VectorOperators.EXP);
            k.intoArray(corr, c);
            FloatVector.fromArray(F, l, c).mul(k).add(sum).intoArray(l, c);
            newMax.intoArray(m, c);
        }
    }

    /**
     * acc[aOff .. aOff+hd) = acc * corr + sum over j < n of p[pOff + j*pStride] * v[j*hd ..]: four
     * LANES-wide slices of the output at a time stay in registers across the keys.
     */
    static void accumulate(float[] acc, int aOff, float corr, float[] p, int pOff, int pStride, int n, float[] v, int hd) {
        int c = 0;
        for (; c + 4 * LANES <= hd; c += 4 * LANES) {
            FloatVector a0 = FloatVector.fromArray(F, acc, aOff + c).mul(corr);
            FloatVector a1 = FloatVector.fromArray(F, acc, aOff + c + LANES).mul(corr);
            FloatVector a2 = FloatVector.fromArray(F, acc, aOff + c + 2 * LANES).mul(corr);
            FloatVector a3 = FloatVector.fromArray(F, acc, aOff + c + 3 * LANES).mul(corr);
            for (int j = 0; j < n; j++) {
                FloatVector pj = FloatVector.broadcast(F, p[pOff + j * pStride]);
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
            for (int j = 0; j < n; j++) a += p[pOff + j * pStride] * v[j * hd + c];
            acc[aOff + c] = a;
        }
    }
}
