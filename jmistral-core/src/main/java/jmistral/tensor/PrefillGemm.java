package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The prefill matmul (many tokens): out[t][r] = sum_k W[r][k] * x[t][k] for a quantized W [rows][cols]
 * and n tokens x [n][cols], blocked like a BLAS GEMM so that every operand of the inner loop comes
 * from cache and every weight is dequantized once per {@value #GROUP_TOKENS} tokens.
 *
 * <pre>
 * x  [n][cols]            transposed once into token tiles xt [tiles][cols][LANES] (tokens in the lanes;
 *                         in an array the pool lends, {@link ComputePool#borrowFloats}, with each
 *                         thread's w and c after it: nothing allocated per call)
 * for each row block of mc rows (handed out one by one to the pool's threads):
 *   for each group of up to GROUP_TOKENS tokens:     c [group tiles][mc][LANES] accumulators (L2)
 *     for each column block k0 of kc columns:
 *       dequantize W[rows of the block][k0 .. k0+kc] into w [mc][kc] f32   (L2, once per group)
 *       for each pair of token tiles:                xt [2][kc][LANES] of the pair (L1)
 *         for each panel of 12 rows of the block:    w [12][kc] (L1/L2)
 *           {@link #rows12x2}: c[pair][12 rows] += w[12 rows][kc] x xt[pair][kc]
 *     c to out [n][rows]
 * </pre>
 * The micro-kernel keeps 12 rows x 2 token vectors of sums (24 of AVX-512's 32 registers) and per
 * column loads 2 token vectors and broadcasts 12 weights: 24 FMAs per 14 loads. Summation order
 * differs from matvec's (blocks of kc columns, each in column order), so results equal matvec within
 * float rounding, not bit for bit.
 */
final class PrefillGemm {
    private PrefillGemm() {}

    /** Rows of the micro-kernel ({@link #rows12x2}). */
    static final int MR = 12;
    /** Columns per block: w [mc][kc] and the token pair's [2][kc][LANES] slice stay in cache. */
    static final int KC = Integer.getInteger("jmistral.gemm.kc", 256);
    /** Rows per block (at most; a multiple of MR): the unit of work split over the pool. */
    static final int MC = Integer.getInteger("jmistral.gemm.mc", 192);
    /** Tokens whose accumulators c [tiles][mc][LANES] a row block holds at once. */
    static final int GROUP_TOKENS = 512;

    /**
     * out [n][rows] = x [n][cols] times W^T, W being {@code rows} rows of {@code rowBytes} bytes of
     * {@code block}'s format at data[0 ..].
     */
    static void matmul(BlockType block, MemorySegment data, int rows, int cols, long rowBytes, float[] x, int n, float[] out) {
        int tiles = ((n + LANES - 1) / LANES + 1) & ~1; // pairs of tiles; a padding tile is zero
        int tileFloats = cols * LANES;
        if ((long) tiles * tileFloats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a batch of " + n + " tokens x " + cols + " columns is too large for one matmul; split it into smaller chunks");
        }
        ComputePool pool = ComputePool.current();
        int bs = block.blockSize();
        int kc = Math.max(bs, KC / bs * bs); // whole quantization blocks
        int mc = rowsPerBlock(rows, pool.threads());
        int groupTiles = Math.max(2, GROUP_TOKENS / LANES & ~1);
        int rowBlocks = (rows + mc - 1) / mc;
        // one array the pool lends: the transposed tokens, then each thread's w and c
        int wFloats = mc * kc, cFloats = Math.min(groupTiles, tiles) * mc * LANES, xtFloats = tiles * tileFloats;
        float[] buf = pool.borrowFloats(Math.addExact(xtFloats, pool.threads() * (wFloats + cFloats)));
        float[] xt = buf; // [tiles][cols][LANES] at 0, zero past n
        pool.parallelFor(tiles, tt -> transposeTokens(x, tt * LANES, Math.max(0, Math.min(LANES, n - tt * LANES)), LANES, cols, xt, tt * tileFloats));

        // one row block at a time to whichever thread is free, so both end together
        pool.parallelForEach(rowBlocks, b -> {
            float[] w = buf, c = buf;
            int wAt = xtFloats + pool.threadIndex() * (wFloats + cFloats); // w [mc][klen] dequantized weights
            int cAt = wAt + wFloats;                                         // c [group tiles][mc][LANES] sums
            int r0 = b * mc, nr = Math.min(mc, rows - r0), panels = (nr + MR - 1) / MR;
            for (int g0 = 0; g0 < tiles; g0 += groupTiles) {
                int g1 = Math.min(tiles, g0 + groupTiles);
                Arrays.fill(c, cAt, cAt + (g1 - g0) * mc * LANES, 0f);
                for (int k0 = 0; k0 < cols; k0 += kc) {
                    int klen = Math.min(kc, cols - k0);
                    long at = (long) (k0 / bs) * block.blockBytes();
                    for (int i = 0; i < nr; i++) block.dequantize(data, (r0 + i) * rowBytes + at, w, wAt + i * klen, klen / bs);
                    Arrays.fill(w, wAt + nr * klen, wAt + panels * MR * klen, 0f); // rows past the matrix
                    for (int tt = g0; tt < g1; tt += 2) {
                        int xa = tt * tileFloats + k0 * LANES, xb = xa + tileFloats;
                        int ca = cAt + (tt - g0) * mc * LANES, cb = ca + mc * LANES;
                        for (int p = 0; p < panels; p++) {
                            rows12x2(w, wAt + p * MR * klen, klen, xt, xa, xb, klen, c, ca + p * MR * LANES, cb + p * MR * LANES);
                        }
                    }
                }
                scatter(c, cAt, mc, out, rows, r0, nr, g0 * LANES, Math.min(n, g1 * LANES));
            }
        });
        pool.giveBack(buf);
    }

    /** Columns per step of {@link #transposeTokens}: a [64][LANES] destination (4 KB) stays in L1. */
    private static final int TRANSPOSE_COLS = 64;

    /**
     * Tokens transposed: xt[xtOff + k*width + j] = x[(t0 + j)*cols + k] for the nt (<= width) tokens t0.., zero for
     * j in [nt, width). [cols][width]: a prefill tile (width LANES) or a pass of the row tiles' kernels
     * ({@link RowTiledMatrix}, width 4 or 8). Column steps of {@value #TRANSPOSE_COLS}, so each destination line is
     * written by all tokens while in L1 (token by token over whole rows, a 2 MB tile of w_down left L2 between tokens:
     * 9-14 ms against 20-23 per 512 x 32768 tokens).
     */
    static void transposeTokens(float[] x, int t0, int nt, int width, int cols, float[] xt, int xtOff) {
        for (int k0 = 0; k0 < cols; k0 += TRANSPOSE_COLS) {
            int k1 = Math.min(cols, k0 + TRANSPOSE_COLS);
            for (int j = 0; j < width; j++) {
                if (j < nt) {
                    for (int k = k0, src = (t0 + j) * cols; k < k1; k++) xt[xtOff + k * width + j] = x[src + k];
                } else {
                    for (int k = k0; k < k1; k++) xt[xtOff + k * width + j] = 0f;
                }
            }
        }
    }

    /** Rows per block: {@link #MC}, fewer when that would leave under 4 blocks per thread. */
    static int rowsPerBlock(int rows, int threads) {
        int mc = Math.max(MR, MC / MR * MR);
        int fair = (rows + 4 * threads - 1) / (4 * threads);
        return Math.max(MR, Math.min(mc, (fair + MR - 1) / MR * MR));
    }

    /** c [tile][mc][LANES] at cAt (tile 0 = token t0) to out[t][r0 + i] for tokens t0 .. t1 and rows i < nr. */
    private static void scatter(float[] c, int cAt, int mc, float[] out, int rows, int r0, int nr, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            int tile = (t - t0) / LANES, lane = (t - t0) % LANES, base = cAt + tile * mc * LANES + lane, o = t * rows + r0;
            for (int i = 0; i < nr; i++) out[o + i] = c[base + i * LANES];
        }
    }

    /**
     * 12 weight rows times two transposed token tiles over {@code len} columns, added to
     * c[cOff + i*LANES + j] (row i, token j of the first tile; the second's at cNext). Per column k:
     * the tiles' token vectors xt[xtOff + k*LANES], xt[xtNext + k*LANES]; each row's weight
     * w[wOff + i*wStride + k] is broadcast into two FMAs. 24 accumulators + 2 token vectors + 1
     * broadcast: 27 of 32 registers.
     */
    static void rows12x2(float[] w, int wOff, int wStride, float[] xt, int xtOff, int xtNext, int len, float[] c, int cOff, int cNext) {
        int w0 = wOff, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride, w4 = w3 + wStride, w5 = w4 + wStride;
        int w6 = w5 + wStride, w7 = w6 + wStride, w8 = w7 + wStride, w9 = w8 + wStride, w10 = w9 + wStride, w11 = w10 + wStride;
        FloatVector a0 = FloatVector.fromArray(F, c, cOff), a1 = FloatVector.fromArray(F, c, cOff + LANES);
        FloatVector a2 = FloatVector.fromArray(F, c, cOff + 2 * LANES), a3 = FloatVector.fromArray(F, c, cOff + 3 * LANES);
        FloatVector a4 = FloatVector.fromArray(F, c, cOff + 4 * LANES), a5 = FloatVector.fromArray(F, c, cOff + 5 * LANES);
        FloatVector a6 = FloatVector.fromArray(F, c, cOff + 6 * LANES), a7 = FloatVector.fromArray(F, c, cOff + 7 * LANES);
        FloatVector a8 = FloatVector.fromArray(F, c, cOff + 8 * LANES), a9 = FloatVector.fromArray(F, c, cOff + 9 * LANES);
        FloatVector a10 = FloatVector.fromArray(F, c, cOff + 10 * LANES), a11 = FloatVector.fromArray(F, c, cOff + 11 * LANES);
        FloatVector b0 = FloatVector.fromArray(F, c, cNext), b1 = FloatVector.fromArray(F, c, cNext + LANES);
        FloatVector b2 = FloatVector.fromArray(F, c, cNext + 2 * LANES), b3 = FloatVector.fromArray(F, c, cNext + 3 * LANES);
        FloatVector b4 = FloatVector.fromArray(F, c, cNext + 4 * LANES), b5 = FloatVector.fromArray(F, c, cNext + 5 * LANES);
        FloatVector b6 = FloatVector.fromArray(F, c, cNext + 6 * LANES), b7 = FloatVector.fromArray(F, c, cNext + 7 * LANES);
        FloatVector b8 = FloatVector.fromArray(F, c, cNext + 8 * LANES), b9 = FloatVector.fromArray(F, c, cNext + 9 * LANES);
        FloatVector b10 = FloatVector.fromArray(F, c, cNext + 10 * LANES), b11 = FloatVector.fromArray(F, c, cNext + 11 * LANES);
        for (int k = 0; k < len; k++) {
            FloatVector u = FloatVector.fromArray(F, xt, xtOff + k * LANES), v = FloatVector.fromArray(F, xt, xtNext + k * LANES);
            FloatVector s = FloatVector.broadcast(F, w[w0 + k]);
            a0 = s.fma(u, a0); b0 = s.fma(v, b0);
            s = FloatVector.broadcast(F, w[w1 + k]);
            a1 = s.fma(u, a1); b1 = s.fma(v, b1);
            s = FloatVector.broadcast(F, w[w2 + k]);
            a2 = s.fma(u, a2); b2 = s.fma(v, b2);
            s = FloatVector.broadcast(F, w[w3 + k]);
            a3 = s.fma(u, a3); b3 = s.fma(v, b3);
            s = FloatVector.broadcast(F, w[w4 + k]);
            a4 = s.fma(u, a4); b4 = s.fma(v, b4);
            s = FloatVector.broadcast(F, w[w5 + k]);
            a5 = s.fma(u, a5); b5 = s.fma(v, b5);
            s = FloatVector.broadcast(F, w[w6 + k]);
            a6 = s.fma(u, a6); b6 = s.fma(v, b6);
            s = FloatVector.broadcast(F, w[w7 + k]);
            a7 = s.fma(u, a7); b7 = s.fma(v, b7);
            s = FloatVector.broadcast(F, w[w8 + k]);
            a8 = s.fma(u, a8); b8 = s.fma(v, b8);
            s = FloatVector.broadcast(F, w[w9 + k]);
            a9 = s.fma(u, a9); b9 = s.fma(v, b9);
            s = FloatVector.broadcast(F, w[w10 + k]);
            a10 = s.fma(u, a10); b10 = s.fma(v, b10);
            s = FloatVector.broadcast(F, w[w11 + k]);
            a11 = s.fma(u, a11); b11 = s.fma(v, b11);
        }
        a0.intoArray(c, cOff);
        a1.intoArray(c, cOff + LANES);
        a2.intoArray(c, cOff + 2 * LANES);
        a3.intoArray(c, cOff + 3 * LANES);
        a4.intoArray(c, cOff + 4 * LANES);
        a5.intoArray(c, cOff + 5 * LANES);
        a6.intoArray(c, cOff + 6 * LANES);
        a7.intoArray(c, cOff + 7 * LANES);
        a8.intoArray(c, cOff + 8 * LANES);
        a9.intoArray(c, cOff + 9 * LANES);
        a10.intoArray(c, cOff + 10 * LANES);
        a11.intoArray(c, cOff + 11 * LANES);
        b0.intoArray(c, cNext);
        b1.intoArray(c, cNext + LANES);
        b2.intoArray(c, cNext + 2 * LANES);
        b3.intoArray(c, cNext + 3 * LANES);
        b4.intoArray(c, cNext + 4 * LANES);
        b5.intoArray(c, cNext + 5 * LANES);
        b6.intoArray(c, cNext + 6 * LANES);
        b7.intoArray(c, cNext + 7 * LANES);
        b8.intoArray(c, cNext + 8 * LANES);
        b9.intoArray(c, cNext + 9 * LANES);
        b10.intoArray(c, cNext + 10 * LANES);
        b11.intoArray(c, cNext + 11 * LANES);
    }
}
