package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Register-blocked f32 micro-kernels for matmul over dequantized weight panels.
 * <ul>
 * <li>Small batches ({@link #dot4x4}, {@link #dot4x5}, {@link #dot1x4}): dot products of 4 rows with 4 (or 5)
 *     tokens over the full row; each loaded weight vector feeds one FMA per token and each token vector one FMA
 *     per row, 16 FMAs per 8 loads (4x5: 20 per 9; a 1x4 kernel does 4 per 5). w: rows of {@code cols} floats at
 *     w[wOff + i*cols]; x: tokens at x[xOff + j*cols]; results to out[(t + j)*outRows + r + i].</li>
 * <li>Prefill ({@link PrefillGemm}): the tokens transposed into tiles of LANES ({@link PrefillGemm#transposeTokens})
 *     so that each weight is broadcast against a vector of tokens and no lane reduction is needed.</li>
 * </ul>
 */
final class F32Tile {
    private F32Tile() {}

    /** 4 rows x 4 tokens: 16 accumulators. */
    static void dot4x4(float[] w, int wOff, float[] x, int xOff, int cols, float[] out, int outRows, int r, int t) {
        dot4x4(w, wOff, x, xOff, 4, cols, out, outRows, r, t);
    }

    /**
     * 4 rows x the first {@code nt} (1..4) of 4 tokens: a group short of 4 repeats its last token
     * (loaded from L1 again; the FMAs are not what bounds this kernel, its 8 loads per 16 FMAs are)
     * and stores only its {@code nt} tokens. 3 tokens this way cost what 4 do, against 3 separate
     * 4-row dots of 8 loads per 4 FMAs each.
     */
    static void dot4x4(float[] w, int wOff, float[] x, int xOff, int nt, int cols, float[] out, int outRows, int r, int t) {
        int w0 = wOff, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
        int x0 = xOff, x1 = xOff + Math.min(1, nt - 1) * cols, x2 = xOff + Math.min(2, nt - 1) * cols, x3 = xOff + Math.min(3, nt - 1) * cols;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
            FloatVector u = FloatVector.fromArray(F, w, w0 + c);
            a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
            u = FloatVector.fromArray(F, w, w1 + c);
            a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
            u = FloatVector.fromArray(F, w, w2 + c);
            a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
            u = FloatVector.fromArray(F, w, w3 + c);
            a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
        }
        store(out, outRows, r, t, nt, c, cols, w, w0, x, x0, x1, x2, x3, a00, a01, a02, a03);
        store(out, outRows, r + 1, t, nt, c, cols, w, w1, x, x0, x1, x2, x3, a10, a11, a12, a13);
        store(out, outRows, r + 2, t, nt, c, cols, w, w2, x, x0, x1, x2, x3, a20, a21, a22, a23);
        store(out, outRows, r + 3, t, nt, c, cols, w, w3, x, x0, x1, x2, x3, a30, a31, a32, a33);
    }

    /**
     * 4 rows x 5 tokens: 20 accumulators, 9 loads per 20 FMAs. For token counts that take fewer passes over a
     * panel in fives than in fours (a verification of 8 drafts is 9 tokens: 2 passes instead of 3).
     */
    static void dot4x5(float[] w, int wOff, float[] x, int xOff, int cols, float[] out, int outRows, int r, int t) {
        int w0 = wOff, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
        int x0 = xOff, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols, x4 = x3 + cols;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a30 = z, a31 = z, a32 = z, a33 = z, a34 = z;
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
            FloatVector v4 = FloatVector.fromArray(F, x, x4 + c);
            FloatVector u = FloatVector.fromArray(F, w, w0 + c);
            a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03); a04 = u.fma(v4, a04);
            u = FloatVector.fromArray(F, w, w1 + c);
            a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13); a14 = u.fma(v4, a14);
            u = FloatVector.fromArray(F, w, w2 + c);
            a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23); a24 = u.fma(v4, a24);
            u = FloatVector.fromArray(F, w, w3 + c);
            a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33); a34 = u.fma(v4, a34);
        }
        store(out, outRows, r, t, 4, c, cols, w, w0, x, x0, x1, x2, x3, a00, a01, a02, a03);
        store(out, outRows, r + 1, t, 4, c, cols, w, w1, x, x0, x1, x2, x3, a10, a11, a12, a13);
        store(out, outRows, r + 2, t, 4, c, cols, w, w2, x, x0, x1, x2, x3, a20, a21, a22, a23);
        store(out, outRows, r + 3, t, 4, c, cols, w, w3, x, x0, x1, x2, x3, a30, a31, a32, a33);
        store1(out, outRows, r, t + 4, c, cols, w, w0, x, x4, a04);
        store1(out, outRows, r + 1, t + 4, c, cols, w, w1, x, x4, a14);
        store1(out, outRows, r + 2, t + 4, c, cols, w, w2, x, x4, a24);
        store1(out, outRows, r + 3, t + 4, c, cols, w, w3, x, x4, a34);
    }

    /** Row r's sum for token t: lanes reduced, plus the scalar tail [c, cols). */
    private static void store1(float[] out, int outRows, int r, int t, int c, int cols, float[] w, int wi, float[] x, int xi, FloatVector a) {
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) s += w[wi + c] * x[xi + c];
        out[t * outRows + r] = s;
    }

    /** Row r's first {@code nt} (of four) token sums: lanes reduced, plus the scalar tail [c, cols). */
    private static void store(float[] out, int outRows, int r, int t, int nt, int c, int cols, float[] w, int wi,
            float[] x, int x0, int x1, int x2, int x3, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float wc = w[wi + c];
            s0 += wc * x[x0 + c];
            s1 += wc * x[x1 + c];
            s2 += wc * x[x2 + c];
            s3 += wc * x[x3 + c];
        }
        out[t * outRows + r] = s0;
        if (nt > 1) out[(t + 1) * outRows + r] = s1;
        if (nt > 2) out[(t + 2) * outRows + r] = s2;
        if (nt > 3) out[(t + 3) * outRows + r] = s3;
    }

    /** {@code nr} (1..4) rows x 1 token, for the token tail of a tile. */
    static void dotRowsX1(float[] w, int wOff, int nr, float[] x, int xOff, int cols, float[] out, int outRows, int r, int t) {
        for (int i = 0; i < nr; i++) out[t * outRows + r + i] = VectorMath.dot(w, wOff + i * cols, x, xOff, cols);
    }

    /** 1 row x 4 tokens, for the row tail of a matrix (rows not a multiple of 4). */
    static void dot1x4(float[] w, int wOff, float[] x, int xOff, int cols, float[] out, int outRows, int r, int t) {
        int x0 = xOff, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += LANES) {
            FloatVector u = FloatVector.fromArray(F, w, wOff + c);
            a0 = u.fma(FloatVector.fromArray(F, x, x0 + c), a0);
            a1 = u.fma(FloatVector.fromArray(F, x, x1 + c), a1);
            a2 = u.fma(FloatVector.fromArray(F, x, x2 + c), a2);
            a3 = u.fma(FloatVector.fromArray(F, x, x3 + c), a3);
        }
        store(out, outRows, r, t, 4, c, cols, w, wOff, x, x0, x1, x2, x3, a0, a1, a2, a3);
    }
}
