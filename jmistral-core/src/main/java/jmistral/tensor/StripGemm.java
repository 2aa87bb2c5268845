package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The prefill matmul (many tokens) over a copy in row tiles ({@link RowTiledMatrix}): out[t][r] = sum_k W[r][k] x[t][k],
 * blocked like {@link PrefillGemm}, but with the rows in the vector lanes, as the tiles hold them: a column's 16 rows
 * of a strip dequantize into one vector, and each token's x[k] is a broadcast.
 *
 * <pre>
 * x   [n][cols]          transposed once into groups of {@value #TOKENS} tokens, xt [groups][cols][TOKENS] (zero past n)
 * for each row block of up to {@value #BLOCK_PAIRS} strip pairs (32 rows each), handed out one by one to the pool's threads:
 *   c [pairs][groups][12][32] = 0                           sums (L2)
 *   for each column block k0 of {@value #KC} columns:
 *     dequantize the block's strips, w [pairs][KC][32] f32  (a pair's panel: 32 KB)
 *     for each pair:                                        its panel in L1
 *       for each token group:                               {@link #rows32x12}: c[pair][group] += w [KC][32] x xt [KC][12]
 *                                                           (a last group of up to 8 tokens: {@link #rows32x4} passes)
 *   c to out [n][rows]
 * </pre>
 * Where it runs: products of more than {@link RowTiledMatrix#MAX_TOKENS} tokens over the matrices whose copy takes the
 * place of the file's pages ({@link RowTiledMatrix}), so that prefill does not read those pages, and beside the pages the
 * token counts where it computes fewer columns ({@link #aheadOfPanels}). Against {@link PrefillGemm} over the same matrix in place (one JVM, 8192 x 5120 Q4_K, two
 * threads, the calling thread's CPU ms per call, six alternated rounds, 2026-12-07 night): 17 tokens 8.1-8.4 against
 * 9.6-9.9 (two groups of 12 where the in-place GEMM pads to 32), 64 tokens 17.4-18.4 against 16.3-17.3, 120 tokens 33
 * against 31-32, 512 tokens 128-133 against 115-117. In isolation its micro-kernel runs as fast as {@link PrefillGemm}'s
 * (6.5-6.9 vector FMAs per ns, in L1); what is left at 512 tokens is in the blocking, and neither the other loop order
 * (groups outer: 134-148 ms), nor 128 columns a block (134-141), nor fewer pairs a block (3: 136-145), nor the token
 * groups taken in chunks of 16 or 8 per column block (126-137 and 146-153 against 124-135 for all at once) closed it.
 *
 * <p>Why not {@link PrefillGemm} itself over panels dequantized from the tiles (columns major, through a column stride):
 * that ran 6-10% behind the matrix in place at every size (the stride a variable: range checks kept in the loop), and
 * the engine's prefill at 512 tokens read 128-132 tok/s against 140-150. Here every index is the loop's counter times a
 * constant.
 */
final class StripGemm {
    private StripGemm() {}

    /** Tokens per micro-kernel call: 2 row vectors x 12 tokens = 24 accumulators. */
    static final int TOKENS = 12;
    /** Tokens per call of the kernel for a last group of up to 8 ({@link #rows32x4}). */
    static final int TAIL_TOKENS = 4;
    /** Rows per micro-kernel call: two strips. */
    static final int PAIR_ROWS = 2 * RowTileFormat.STRIP_ROWS;
    /** Columns per block: a pair's panel [KC][32] (32 KB) in L1, a group's xt [KC][12] (12 KB) streamed past it. */
    static final int KC = 256;
    /** Strip pairs per row block (192 rows: the unit of work split over the pool). */
    static final int BLOCK_PAIRS = 6;

    /**
     * out [n][rows] = x [n][cols] times W^T, W in the row tiles {@code strips} (16 rows each, zero rows past the
     * matrix, as many as {@link RowTiledMatrix} pads to: whole pairs) of {@code format}.
     */
    static void matmul(RowTileFormat format, MemorySegment[] strips, int rows, int cols, float[] x, int n, float[] out) {
        ComputePool pool = ComputePool.current();
        int groups = (n + TOKENS - 1) / TOKENS, groupFloats = cols * TOKENS;
        if ((long) groups * groupFloats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a batch of " + n + " tokens x " + cols + " columns is too large for one matmul; split it into smaller chunks");
        }
        int pairs = (rows + PAIR_ROWS - 1) / PAIR_ROWS, blocks = (pairs + BLOCK_PAIRS - 1) / BLOCK_PAIRS;
        int kc = Math.max(format.tileCols, KC / format.tileCols * format.tileCols);
        // one array the pool lends: xt, then each thread's panel w [BLOCK_PAIRS][kc][32] and sums c [BLOCK_PAIRS][groups][12][32]
        int xtFloats = groups * groupFloats, wFloats = BLOCK_PAIRS * kc * PAIR_ROWS, groupSums = TOKENS * PAIR_ROWS, cFloats = BLOCK_PAIRS * groups * groupSums;
        float[] buf = pool.borrowFloats(Math.addExact(xtFloats, pool.threads() * (wFloats + cFloats)));
        try {
            pool.parallelFor(groups, g -> PrefillGemm.transposeTokens(x, g * TOKENS, Math.min(TOKENS, n - g * TOKENS), TOKENS, cols, buf, g * groupFloats));
            pool.parallelForEach(blocks, b -> {
                int wAt = xtFloats + pool.threadIndex() * (wFloats + cFloats), cAt = wAt + wFloats;
                int p0 = b * BLOCK_PAIRS, p1 = Math.min(pairs, p0 + BLOCK_PAIRS);
                Arrays.fill(buf, cAt, cAt + (p1 - p0) * groups * groupSums, 0f);
                for (int k0 = 0; k0 < cols; k0 += kc) {
                    int klen = Math.min(kc, cols - k0), t0 = k0 / format.tileCols, t1 = (k0 + klen) / format.tileCols;
                    for (int p = p0; p < p1; p++) {
                        int panel = wAt + (p - p0) * klen * PAIR_ROWS;
                        format.dequantize(strips[2 * p], t0, t1, buf, panel, PAIR_ROWS);
                        format.dequantize(strips[2 * p + 1], t0, t1, buf, panel + RowTileFormat.STRIP_ROWS, PAIR_ROWS);
                    }
                    // pair by pair, its panel in L1 across the token groups, each group's xt [kc][12] (12 KB) from L2.
                    // Group by group instead (each xt in L1 across the pairs, the panels from L2): 134-148 ms against
                    // 132-134 (8192 x 5120, 512 tokens, one JVM, six alternated rounds); kc 128: 134-141
                    for (int p = p0; p < p1; p++) {
                        int panel = wAt + (p - p0) * klen * PAIR_ROWS;
                        for (int g = 0; g < groups; g++) {
                            int xtAt = g * groupFloats + k0 * TOKENS, cg = cAt + ((p - p0) * groups + g) * groupSums, tokens = Math.min(TOKENS, n - g * TOKENS);
                            if (tokens > 2 * TAIL_TOKENS) {
                                rows32x12(buf, panel, buf, xtAt, klen, buf, cg, PAIR_ROWS);
                            } else { // a last group of up to 8 tokens: passes of 4, not 12 tokens' FMAs for a few
                                for (int j = 0; j < tokens; j += TAIL_TOKENS) {
                                    rows32x4(buf, panel, buf, xtAt + j, klen, buf, cg + j * PAIR_ROWS, PAIR_ROWS, Math.min(TAIL_TOKENS, tokens - j));
                                }
                            }
                        }
                    }
                }
                // c to out [n][rows]: each token's 32 rows of each pair (the matrix's rows only)
                for (int p = p0; p < p1; p++) {
                    int r0 = p * PAIR_ROWS, nr = Math.min(PAIR_ROWS, rows - r0);
                    for (int t = 0; t < n; t++) System.arraycopy(buf, cAt + ((p - p0) * groups + t / TOKENS) * groupSums + (t % TOKENS) * PAIR_ROWS, out, t * rows + r0, nr);
                }
            });
        } finally {
            pool.giveBack(buf);
        }
    }

    /**
     * Token columns this GEMM's micro-kernels compute for n tokens: groups of 12, a last group of up to 8 in passes of 4.
     */
    static int paddedTokens(int n) {
        int left = n % TOKENS;
        return n - left + (left > 2 * TAIL_TOKENS ? TOKENS : (left + TAIL_TOKENS - 1) / TAIL_TOKENS * TAIL_TOKENS);
    }

    /**
     * Whether n tokens cost less here than through {@link PrefillGemm} over the matrix in place, which computes whole
     * pairs of {@link VectorLanes#LANES}-token tiles: per token column this GEMM cost 1.05-1.14x that one (see the class
     * comment: 64 and 512 tokens), and 17, 24 and 48 tokens (32 and 64 columns there, 20, 24 and 48 here) ran 8.1-9.8 ms
     * against 9.6-14.5, and 14.4-14.9 against 17.2-19.4. Asked only above {@link RowTiledMatrix#MAX_TOKENS} (65 to 84
     * tokens, 97 to 116, ...): fewer go through the decode kernels, faster than either GEMM there.
     */
    static boolean aheadOfPanels(int n) {
        int panelTokens = (((n + VectorLanes.LANES - 1) / VectorLanes.LANES + 1) & ~1) * VectorLanes.LANES;
        return paddedTokens(n) * 11 < panelTokens * 10;
    }

    /**
     * 32 rows times 12 tokens over {@code len} columns, added to out[o + j * stride + i] (token j < 12, row i): w
     * [len][32] at w[wAt ..] (column k's 32 rows at wAt + 32 k), xt [len][12] at xt[xtAt ..] (token j of column k at
     * xtAt + 12 k + j, zero for tokens past the batch). Per column: two row vectors loaded, 12 broadcasts, 24 FMAs into
     * 24 accumulators (27 of 32 registers). out has room for all 12 tokens (the GEMM's sums c).
     * Stored and loaded here, not through helpers: a helper past C2's node budget for inlining stays a call that boxes its
     * vector.
     */
    static void rows32x12(float[] w, int wAt, float[] xt, int xtAt, int len, float[] out, int o, int stride) {
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int op = o + p * F.length(), oq = op + RowTileFormat.STRIP_ROWS, wp = wAt + p * F.length();
            FloatVector a0 = FloatVector.fromArray(F, out, op), b0 = FloatVector.fromArray(F, out, oq);
            FloatVector a1 = FloatVector.fromArray(F, out, op + stride), b1 = FloatVector.fromArray(F, out, oq + stride);
            FloatVector a2 = FloatVector.fromArray(F, out, op + 2 * stride), b2 = FloatVector.fromArray(F, out, oq + 2 * stride);
            FloatVector a3 = FloatVector.fromArray(F, out, op + 3 * stride), b3 = FloatVector.fromArray(F, out, oq + 3 * stride);
            FloatVector a4 = FloatVector.fromArray(F, out, op + 4 * stride), b4 = FloatVector.fromArray(F, out, oq + 4 * stride);
            FloatVector a5 = FloatVector.fromArray(F, out, op + 5 * stride), b5 = FloatVector.fromArray(F, out, oq + 5 * stride);
            FloatVector a6 = FloatVector.fromArray(F, out, op + 6 * stride), b6 = FloatVector.fromArray(F, out, oq + 6 * stride);
            FloatVector a7 = FloatVector.fromArray(F, out, op + 7 * stride), b7 = FloatVector.fromArray(F, out, oq + 7 * stride);
            FloatVector a8 = FloatVector.fromArray(F, out, op + 8 * stride), b8 = FloatVector.fromArray(F, out, oq + 8 * stride);
            FloatVector a9 = FloatVector.fromArray(F, out, op + 9 * stride), b9 = FloatVector.fromArray(F, out, oq + 9 * stride);
            FloatVector a10 = FloatVector.fromArray(F, out, op + 10 * stride), b10 = FloatVector.fromArray(F, out, oq + 10 * stride);
            FloatVector a11 = FloatVector.fromArray(F, out, op + 11 * stride), b11 = FloatVector.fromArray(F, out, oq + 11 * stride);
            for (int k = 0; k < len; k++) {
                FloatVector u = FloatVector.fromArray(F, w, wp + PAIR_ROWS * k), v = FloatVector.fromArray(F, w, wp + PAIR_ROWS * k + RowTileFormat.STRIP_ROWS);
                int xk = xtAt + TOKENS * k;
                FloatVector s = FloatVector.broadcast(F, xt[xk]);
                a0 = u.fma(s, a0); b0 = v.fma(s, b0);
                s = FloatVector.broadcast(F, xt[xk + 1]);
                a1 = u.fma(s, a1); b1 = v.fma(s, b1);
                s = FloatVector.broadcast(F, xt[xk + 2]);
                a2 = u.fma(s, a2); b2 = v.fma(s, b2);
                s = FloatVector.broadcast(F, xt[xk + 3]);
                a3 = u.fma(s, a3); b3 = v.fma(s, b3);
                s = FloatVector.broadcast(F, xt[xk + 4]);
                a4 = u.fma(s, a4); b4 = v.fma(s, b4);
                s = FloatVector.broadcast(F, xt[xk + 5]);
                a5 = u.fma(s, a5); b5 = v.fma(s, b5);
                s = FloatVector.broadcast(F, xt[xk + 6]);
                a6 = u.fma(s, a6); b6 = v.fma(s, b6);
                s = FloatVector.broadcast(F, xt[xk + 7]);
                a7 = u.fma(s, a7); b7 = v.fma(s, b7);
                s = FloatVector.broadcast(F, xt[xk + 8]);
                a8 = u.fma(s, a8); b8 = v.fma(s, b8);
                s = FloatVector.broadcast(F, xt[xk + 9]);
                a9 = u.fma(s, a9); b9 = v.fma(s, b9);
                s = FloatVector.broadcast(F, xt[xk + 10]);
                a10 = u.fma(s, a10); b10 = v.fma(s, b10);
                s = FloatVector.broadcast(F, xt[xk + 11]);
                a11 = u.fma(s, a11); b11 = v.fma(s, b11);
            }
            a0.intoArray(out, op); b0.intoArray(out, oq);
            a1.intoArray(out, op + stride); b1.intoArray(out, oq + stride);
            a2.intoArray(out, op + 2 * stride); b2.intoArray(out, oq + 2 * stride);
            a3.intoArray(out, op + 3 * stride); b3.intoArray(out, oq + 3 * stride);
            a4.intoArray(out, op + 4 * stride); b4.intoArray(out, oq + 4 * stride);
            a5.intoArray(out, op + 5 * stride); b5.intoArray(out, oq + 5 * stride);
            a6.intoArray(out, op + 6 * stride); b6.intoArray(out, oq + 6 * stride);
            a7.intoArray(out, op + 7 * stride); b7.intoArray(out, oq + 7 * stride);
            a8.intoArray(out, op + 8 * stride); b8.intoArray(out, oq + 8 * stride);
            a9.intoArray(out, op + 9 * stride); b9.intoArray(out, oq + 9 * stride);
            a10.intoArray(out, op + 10 * stride); b10.intoArray(out, oq + 10 * stride);
            a11.intoArray(out, op + 11 * stride); b11.intoArray(out, oq + 11 * stride);
        }
    }

    /**
     * {@link #rows32x12} for up to 4 tokens (xt still [len][12], tokens from xt[xtAt]): 8 accumulators, per column two
     * row vectors and 4 broadcasts. A prompt's last group of tokens (64 tokens: 5 groups of 12 and one of 4) runs these
     * instead of a 12-token pass mostly over zeros.
     */
    static void rows32x4(float[] w, int wAt, float[] xt, int xtAt, int len, float[] out, int o, int stride, int tokens) {
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int op = o + p * F.length(), oq = op + RowTileFormat.STRIP_ROWS, wp = wAt + p * F.length();
            FloatVector zero = FloatVector.zero(F);
            FloatVector a0 = 0 < tokens ? FloatVector.fromArray(F, out, op) : zero, b0 = 0 < tokens ? FloatVector.fromArray(F, out, oq) : zero;
            FloatVector a1 = 1 < tokens ? FloatVector.fromArray(F, out, op + stride) : zero, b1 = 1 < tokens ? FloatVector.fromArray(F, out, oq + stride) : zero;
            FloatVector a2 = 2 < tokens ? FloatVector.fromArray(F, out, op + 2 * stride) : zero, b2 = 2 < tokens ? FloatVector.fromArray(F, out, oq + 2 * stride) : zero;
            FloatVector a3 = 3 < tokens ? FloatVector.fromArray(F, out, op + 3 * stride) : zero, b3 = 3 < tokens ? FloatVector.fromArray(F, out, oq + 3 * stride) : zero;
            for (int k = 0; k < len; k++) {
                FloatVector u = FloatVector.fromArray(F, w, wp + PAIR_ROWS * k), v = FloatVector.fromArray(F, w, wp + PAIR_ROWS * k + RowTileFormat.STRIP_ROWS);
                int xk = xtAt + TOKENS * k;
                FloatVector s = FloatVector.broadcast(F, xt[xk]);
                a0 = u.fma(s, a0); b0 = v.fma(s, b0);
                s = FloatVector.broadcast(F, xt[xk + 1]);
                a1 = u.fma(s, a1); b1 = v.fma(s, b1);
                s = FloatVector.broadcast(F, xt[xk + 2]);
                a2 = u.fma(s, a2); b2 = v.fma(s, b2);
                s = FloatVector.broadcast(F, xt[xk + 3]);
                a3 = u.fma(s, a3); b3 = v.fma(s, b3);
            }
            if (0 < tokens) { a0.intoArray(out, op); b0.intoArray(out, oq); }
            if (1 < tokens) { a1.intoArray(out, op + stride); b1.intoArray(out, oq + stride); }
            if (2 < tokens) { a2.intoArray(out, op + 2 * stride); b2.intoArray(out, oq + 2 * stride); }
            if (3 < tokens) { a3.intoArray(out, op + 3 * stride); b3.intoArray(out, oq + 3 * stride); }
        }
    }
}
