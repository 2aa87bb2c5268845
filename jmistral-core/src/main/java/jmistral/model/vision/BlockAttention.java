package jmistral.model.vision;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import jmistral.tensor.ComputePool;
import jmistral.tensor.VectorLanes;
import jmistral.tensor.VectorMath;

/**
 * Full (non-causal) attention within one image, tiled like FlashAttention: a tile of
 * {@value #Q_TILE} queries meets the keys {@value #K_TILE} at a time, with an online softmax per query
 * row, so memory is O(n * headDim) and no n x n score matrix exists (a 1540 px image has 12,100
 * patches). Parallel over (head, query tile).
 *
 * <p>Each layer first packs q, k, v per head (RoPE and the 1/sqrt(headDim) scale applied to q on the
 * way), with the head padded to {@code dp} dims (a multiple of two vectors) and the patches to
 * {@code nPad} (a multiple of both tiles), zeros in the padding:
 * <pre>
 *   qp [heads][nPad][dp]   queries, rotated and scaled
 *   kt [heads][dp][nPad]   keys, rotated, transposed: a tile's scores are a small matmul over dp
 *   vp [heads][nPad][dp]   values
 * </pre>
 * Both products of a tile are register-blocked outer products, 4 query rows x 2 vectors:
 * scores S[4][2 vectors of keys] += q[r][d] * kt[d][keys], output O[4][2 vectors of dims] +=
 * p[r][j] * vp[j][dims]. Every vector load feeds four FMAs.
 *
 * <p>One instance per image: the packed buffers are reused by every layer.
 */
final class BlockAttention {
    private static final VectorSpecies<Float> F = VectorLanes.F;        // the kernels' species (-Djmistral.vectorBits)
    private static final int LANES = F.length();
    /** Query rows per tile (a multiple of 4, the register block). */
    static final int Q_TILE = 32;
    /** Keys per tile (a multiple of 2 vectors, for every vector width up to 512 bits). */
    static final int K_TILE = 128;

    private final int n, heads, headDim, dp, nPad;
    private final float[] qp, kt, vp;

    BlockAttention(int n, int heads, int headDim) {
        this.n = n;
        this.heads = heads;
        this.headDim = headDim;
        this.dp = roundUp(headDim, 2 * LANES);
        this.nPad = roundUp(n, K_TILE);   // K_TILE is a multiple of Q_TILE
        long size = (long) heads * nPad * dp;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(n + " patches are too many for one image");
        qp = new float[(int) size];
        kt = new float[(int) size];
        vp = new float[(int) size];
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /**
     * @param q    [n][heads*headDim] (before RoPE)
     * @param k    [n][heads*headDim] (before RoPE)
     * @param v    [n][heads*headDim]
     * @param rope the image's rotary tables
     * @param out  [n][heads*headDim]
     */
    void attend(float[] q, float[] k, float[] v, Rope2d rope, float[] out) {
        pack(q, k, v, rope);
        int qTiles = nPad / Q_TILE;
        ComputePool.current().parallelForRange(heads * qTiles, (start, end) -> {
            float[] s = new float[Q_TILE * K_TILE];   // scores, then probabilities: [Q_TILE][K_TILE]
            float[] o = new float[Q_TILE * dp];       // unnormalized output: [Q_TILE][dp]
            float[] max = new float[Q_TILE], sum = new float[Q_TILE], correction = new float[Q_TILE];
            for (int task = start; task < end; task++) {
                int h = task / qTiles, q0 = (task % qTiles) * Q_TILE;
                tile(h, q0, s, o, max, sum, correction, out);
            }
        });
    }

    /** Packs one layer's q, k, v into qp, kt, vp (parallel over heads). */
    private void pack(float[] q, float[] k, float[] v, Rope2d rope) {
        int dim = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        ComputePool.current().parallelFor(heads, h -> {
            float[] row = new float[headDim];
            int hq = h * nPad * dp, hk = h * dp * nPad;
            for (int t = 0; t < n; t++) {
                int src = t * dim + h * headDim;
                rope.rotate(q, src, t, scale, qp, hq + t * dp);
                System.arraycopy(v, src, vp, hq + t * dp, headDim);
                rope.rotate(k, src, t, 1f, row, 0);
                for (int d = 0; d < headDim; d++) kt[hk + d * nPad + t] = row[d];
            }
        });
    }

    /** Attention of queries [q0, q0 + Q_TILE) of head h over all keys, into out. */
    private void tile(int h, int q0, float[] s, float[] o, float[] max, float[] sum, float[] correction, float[] out) {
        Arrays.fill(o, 0);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0);
        int qOff = (h * nPad + q0) * dp;
        for (int k0 = 0; k0 < n; k0 += K_TILE) {
            int len = Math.min(K_TILE, n - k0);
            int cols = roundUp(len, 2 * LANES);       // scores computed; keys >= len are padding
            scores(qOff, h * dp * nPad + k0, s, cols);
            for (int r = 0; r < Q_TILE; r++) {
                int row = r * K_TILE;
                Arrays.fill(s, row + len, row + cols, Float.NEGATIVE_INFINITY);
                correction[r] = VectorMath.onlineSoftmaxStep(s, row, cols, max, sum, r);
            }
            accumulate(s, (h * nPad + k0) * dp, o, correction, cols);
        }
        int dim = heads * headDim;
        for (int r = 0; r < Q_TILE && q0 + r < n; r++) {
            float inv = 1f / sum[r];
            int dst = (q0 + r) * dim + h * headDim, src = r * dp;
            for (int d = 0; d < headDim; d++) out[dst + d] = o[src + d] * inv;
        }
    }

    /** s[r][c] = qp[qOff + r][.] . kt[.][kOff + c] for r < Q_TILE, c < cols. */
    private void scores(int qOff, int kOff, float[] s, int cols) {
        for (int c = 0; c < cols; c += 2 * LANES) {
            for (int r = 0; r < Q_TILE; r += 4) {
                FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00;
                FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                int qa = qOff + r * dp, ka = kOff + c;
                for (int d = 0; d < dp; d++, ka += nPad) {
                    FloatVector k0 = FloatVector.fromArray(F, kt, ka), k1 = FloatVector.fromArray(F, kt, ka + LANES);
                    FloatVector b0 = FloatVector.broadcast(F, qp[qa + d]);
                    FloatVector b1 = FloatVector.broadcast(F, qp[qa + dp + d]);
                    FloatVector b2 = FloatVector.broadcast(F, qp[qa + 2 * dp + d]);
                    FloatVector b3 = FloatVector.broadcast(F, qp[qa + 3 * dp + d]);
                    a00 = k0.fma(b0, a00);
                    a01 = k1.fma(b0, a01);
                    a10 = k0.fma(b1, a10);
                    a11 = k1.fma(b1, a11);
                    a20 = k0.fma(b2, a20);
                    a21 = k1.fma(b2, a21);
                    a30 = k0.fma(b3, a30);
                    a31 = k1.fma(b3, a31);
                }
                int o = r * K_TILE + c;
                a00.intoArray(s, o);
                a01.intoArray(s, o + LANES);
                a10.intoArray(s, o + K_TILE);
                a11.intoArray(s, o + K_TILE + LANES);
                a20.intoArray(s, o + 2 * K_TILE);
                a21.intoArray(s, o + 2 * K_TILE + LANES);
                a30.intoArray(s, o + 3 * K_TILE);
                a31.intoArray(s, o + 3 * K_TILE + LANES);
            }
        }
    }

    /** o[r][.] = o[r][.] * correction[r] + sum over j < cols of p[r][j] * vp[vOff + j][.]. */
    private void accumulate(float[] p, int vOff, float[] o, float[] correction, int cols) {
        for (int r = 0; r < Q_TILE; r += 4) {
            float c0 = correction[r], c1 = correction[r + 1], c2 = correction[r + 2], c3 = correction[r + 3];
            for (int dv = 0; dv < dp; dv += 2 * LANES) {
                int oa = r * dp + dv;
                FloatVector a00 = FloatVector.fromArray(F, o, oa).mul(c0), a01 = FloatVector.fromArray(F, o, oa + LANES).mul(c0);
                FloatVector a10 = FloatVector.fromArray(F, o, oa + dp).mul(c1), a11 = FloatVector.fromArray(F, o, oa + dp + LANES).mul(c1);
                FloatVector a20 = FloatVector.fromArray(F, o, oa + 2 * dp).mul(c2), a21 = FloatVector.fromArray(F, o, oa + 2 * dp + LANES).mul(c2);
                FloatVector a30 = FloatVector.fromArray(F, o, oa + 3 * dp).mul(c3), a31 = FloatVector.fromArray(F, o, oa + 3 * dp + LANES).mul(c3);
                int pa = r * K_TILE, va = vOff + dv;
                for (int j = 0; j < cols; j++, va += dp) {
                    FloatVector v0 = FloatVector.fromArray(F, vp, va), v1 = FloatVector.fromArray(F, vp, va + LANES);
                    FloatVector b0 = FloatVector.broadcast(F, p[pa + j]);
                    FloatVector b1 = FloatVector.broadcast(F, p[pa + K_TILE + j]);
                    FloatVector b2 = FloatVector.broadcast(F, p[pa + 2 * K_TILE + j]);
                    FloatVector b3 = FloatVector.broadcast(F, p[pa + 3 * K_TILE + j]);
                    a00 = v0.fma(b0, a00);
                    a01 = v1.fma(b0, a01);
                    a10 = v0.fma(b1, a10);
                    a11 = v1.fma(b1, a11);
                    a20 = v0.fma(b2, a20);
                    a21 = v1.fma(b2, a21);
                    a30 = v0.fma(b3, a30);
                    a31 = v1.fma(b3, a31);
                }
                a00.intoArray(o, oa);
                a01.intoArray(o, oa + LANES);
                a10.intoArray(o, oa + dp);
                a11.intoArray(o, oa + dp + LANES);
                a20.intoArray(o, oa + 2 * dp);
                a21.intoArray(o, oa + 2 * dp + LANES);
                a30.intoArray(o, oa + 3 * dp);
                a31.intoArray(o, oa + 3 * dp + LANES);
            }
        }
    }
}
