package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Register-blocked f32 micro-kernels for matmul over dequantized weight panels.
 * <ul>
 * <li>Small batches ({@link #dot4x4Acc}, {@link #dot4x5Acc}): dot products of 4 rows with 4 or 5
 *     tokens over one column chunk of a dequantized panel, added to vector partial sums kept in an
 *     array; each loaded weight vector feeds one FMA per token and each token vector one FMA per row,
 *     16 FMAs per 8 loads (20 per 9). A matrix's last rows (fewer than 4) go whole rows at a time
 *     ({@link #dot1x4}, 4 FMAs per 5 loads, and {@link #dotRowsX1}): w: rows of {@code cols} floats
 *     at w[wOff + i*cols]; x: tokens at x[xOff + j*cols]; results to out[(t + j)*outRows + r + i].</li>
 * <li>Prefill ({@link PrefillGemm}): the tokens transposed into tiles of LANES ({@link PrefillGemm#transposeTokens})
 *     so that each weight is broadcast against a vector of tokens and no lane reduction is needed.</li>
 * </ul>
 */
final class F32Tile {
    private F32Tile() {}

    /**
     * 4 rows x 4 tokens over {@code len} columns of a dequantized panel chunk, the products ADDED to
     * the 16 vector partial sums kept in {@code acc} (LANES floats per row i and token j at
     * acc[accOff + (4*i + j)*LANES]); the rows at w[wOff + i*wStride], the tokens at x[x0..x3 + c]
     * (a group short of 4 passes its last token again). Each loaded weight vector feeds one FMA per
     * token and each token vector one per row: 16 FMAs per 8 loads. The partial sums go through the
     * array, never as vector arguments or returns: a vector crossing a call that C2 does not inline is
     * boxed (the column-chunked path of 68e1dca passed them to a helper and allocated 3-4x more in
     * the full model), and this keeps each kernel one method of direct Vector API calls.
     * Columns past the last whole vector go to lane 0 of each sum.
     */
    static void dot4x4Acc(float[] w, int wOff, int wStride, float[] x, int x0, int x1, int x2, int x3, int len,
            float[] acc, int accOff) {
        int w0 = wOff, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int a = accOff, l = LANES;
        FloatVector a00 = FloatVector.fromArray(F, acc, a), a01 = FloatVector.fromArray(F, acc, a + l);
        FloatVector a02 = FloatVector.fromArray(F, acc, a + 2 * l), a03 = FloatVector.fromArray(F, acc, a + 3 * l);
        FloatVector a10 = FloatVector.fromArray(F, acc, a + 4 * l), a11 = FloatVector.fromArray(F, acc, a + 5 * l);
        FloatVector a12 = FloatVector.fromArray(F, acc, a + 6 * l), a13 = FloatVector.fromArray(F, acc, a + 7 * l);
        FloatVector a20 = FloatVector.fromArray(F, acc, a + 8 * l), a21 = FloatVector.fromArray(F, acc, a + 9 * l);
        FloatVector a22 = FloatVector.fromArray(F, acc, a + 10 * l), a23 = FloatVector.fromArray(F, acc, a + 11 * l);
        FloatVector a30 = FloatVector.fromArray(F, acc, a + 12 * l), a31 = FloatVector.fromArray(F, acc, a + 13 * l);
        FloatVector a32 = FloatVector.fromArray(F, acc, a + 14 * l), a33 = FloatVector.fromArray(F, acc, a + 15 * l);
        int c = 0;
        for (int bound = F.loopBound(len); c < bound; c += LANES) {
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
        a00.intoArray(acc, a); a01.intoArray(acc, a + l); a02.intoArray(acc, a + 2 * l); a03.intoArray(acc, a + 3 * l);
        a10.intoArray(acc, a + 4 * l); a11.intoArray(acc, a + 5 * l); a12.intoArray(acc, a + 6 * l); a13.intoArray(acc, a + 7 * l);
        a20.intoArray(acc, a + 8 * l); a21.intoArray(acc, a + 9 * l); a22.intoArray(acc, a + 10 * l); a23.intoArray(acc, a + 11 * l);
        a30.intoArray(acc, a + 12 * l); a31.intoArray(acc, a + 13 * l); a32.intoArray(acc, a + 14 * l); a33.intoArray(acc, a + 15 * l);
        if (c < len) tailAdd(w, wOff, wStride, 4, x, new int[]{x0, x1, x2, x3}, c, len, acc, accOff);
    }

    /**
     * 4 rows x 5 tokens, as {@link #dot4x4Acc} (20 partial sums at acc[accOff + (5*i + j)*LANES]):
     * 9 loads per 20 FMAs, 20 accumulators + 5 token vectors + 1 weight vector in registers. Lets 9
     * tokens (8 drafts verified) go as 4 + 5 instead of three groups of 4, 13 as 4 + 4 + 5, 10 as 5 + 5.
     */
    static void dot4x5Acc(float[] w, int wOff, int wStride, float[] x, int x0, int x1, int x2, int x3, int x4, int len,
            float[] acc, int accOff) {
        int w0 = wOff, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int a = accOff, l = LANES;
        FloatVector a00 = FloatVector.fromArray(F, acc, a), a01 = FloatVector.fromArray(F, acc, a + l);
        FloatVector a02 = FloatVector.fromArray(F, acc, a + 2 * l), a03 = FloatVector.fromArray(F, acc, a + 3 * l);
        FloatVector a04 = FloatVector.fromArray(F, acc, a + 4 * l);
        FloatVector a10 = FloatVector.fromArray(F, acc, a + 5 * l), a11 = FloatVector.fromArray(F, acc, a + 6 * l);
        FloatVector a12 = FloatVector.fromArray(F, acc, a + 7 * l), a13 = FloatVector.fromArray(F, acc, a + 8 * l);
        FloatVector a14 = FloatVector.fromArray(F, acc, a + 9 * l);
        FloatVector a20 = FloatVector.fromArray(F, acc, a + 10 * l), a21 = FloatVector.fromArray(F, acc, a + 11 * l);
        FloatVector a22 = FloatVector.fromArray(F, acc, a + 12 * l), a23 = FloatVector.fromArray(F, acc, a + 13 * l);
        FloatVector a24 = FloatVector.fromArray(F, acc, a + 14 * l);
        FloatVector a30 = FloatVector.fromArray(F, acc, a + 15 * l), a31 = FloatVector.fromArray(F, acc, a + 16 * l);
        FloatVector a32 = FloatVector.fromArray(F, acc, a + 17 * l), a33 = FloatVector.fromArray(F, acc, a + 18 * l);
        FloatVector a34 = FloatVector.fromArray(F, acc, a + 19 * l);
        int c = 0;
        for (int bound = F.loopBound(len); c < bound; c += LANES) {
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
        a00.intoArray(acc, a); a01.intoArray(acc, a + l); a02.intoArray(acc, a + 2 * l); a03.intoArray(acc, a + 3 * l);
        a04.intoArray(acc, a + 4 * l);
        a10.intoArray(acc, a + 5 * l); a11.intoArray(acc, a + 6 * l); a12.intoArray(acc, a + 7 * l); a13.intoArray(acc, a + 8 * l);
        a14.intoArray(acc, a + 9 * l);
        a20.intoArray(acc, a + 10 * l); a21.intoArray(acc, a + 11 * l); a22.intoArray(acc, a + 12 * l); a23.intoArray(acc, a + 13 * l);
        a24.intoArray(acc, a + 14 * l);
        a30.intoArray(acc, a + 15 * l); a31.intoArray(acc, a + 16 * l); a32.intoArray(acc, a + 17 * l); a33.intoArray(acc, a + 18 * l);
        a34.intoArray(acc, a + 19 * l);
        if (c < len) tailAdd(w, wOff, wStride, 4, x, new int[]{x0, x1, x2, x3, x4}, c, len, acc, accOff);
    }

    /**
     * Columns [c, len) that fill no whole vector (only when a chunk is not a multiple of LANES
     * columns), scalar, added to lane 0 of each (row, token) partial sum at acc[accOff + (nt*i + j)*LANES].
     */
    private static void tailAdd(float[] w, int wOff, int wStride, int nr, float[] x, int[] xAt, int c, int len, float[] acc, int accOff) {
        int nt = xAt.length;
        for (int i = 0; i < nr; i++) {
            for (int j = 0; j < nt; j++) {
                float s = 0;
                for (int k = c; k < len; k++) s += w[wOff + i * wStride + k] * x[xAt[j] + k];
                acc[accOff + (nt * i + j) * LANES] += s;
            }
        }
    }

    /** The sum of the LANES partial sums at acc[at ..]: one (row, token) result of the *Acc kernels. */
    static float sumLanes(float[] acc, int at) {
        return FloatVector.fromArray(F, acc, at).reduceLanes(VectorOperators.ADD);
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
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float wc = w[wOff + c];
            s0 += wc * x[x0 + c];
            s1 += wc * x[x1 + c];
            s2 += wc * x[x2 + c];
            s3 += wc * x[x3 + c];
        }
        out[t * outRows + r] = s0;
        out[(t + 1) * outRows + r] = s1;
        out[(t + 2) * outRows + r] = s2;
        out[(t + 3) * outRows + r] = s3;
    }
}
