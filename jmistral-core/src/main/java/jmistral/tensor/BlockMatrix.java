package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The one {@link Matrix} implementation: W [rows][cols] stored row-major in any {@link BlockType},
 * each row {@code cols / blockSize} consecutive blocks, used in place (no copy of the weights).
 *
 * <ul>
 * <li>matvec (decode): rows split over the {@link ComputePool}; each row is one fused
 *     {@link BlockType#dot} over its blocks (weights read once, straight from the segment). Formats
 *     whose kernel reads x in an order of its own ({@link BlockType#arrangesX}: Q4_K and Q6_K with 16 lanes)
 *     get x rearranged once per call into an array the pool lends, and each row runs
 *     {@link BlockType#dotArranged} on it (cost: one pass over cols floats per matvec). End to end
 *     on the 2-layer Q4_K_M model ({@code bench --gen-tokens 64 --profile}, 2 threads, alternated with
 *     6522c42 on the shared machine, load 2-7, 5 pairs) the process's CPU time per token was 138-165
 *     ms against 142-157, within the noise (under heavier load, 32 tokens, 2 pairs: 162-203 against
 *     201-265), and the profile's single-thread figure for the Q6_K output matrix 11.5-12.2 GB/cpu-s
 *     against 12.0-12.2: in L2 the Q6_K kernel runs 20-60% faster, Q4_K's about even (see each kernel), but the
 *     model's decode reads its 1.2 GB per token from memory at about what this machine gives two
 *     threads, so little of it shows end to end here.</li>
 * <li>matmul, tiny batches (up to {@link #EACH_MAX_TOKENS} tokens: two sequences decoding together, one
 *     draft verified): one matvec per token, one after the other ({@link #matvecEach}), each exactly that
 *     token's own matvec. Formats with a register-tiled kernel ({@link BlockType#hasDot4x4}, Q8_0) run it from
 *     there up to {@link #REGISTER_TILE_MAX_TOKENS} tokens ({@link #matmulRegisterTiled}); formats with a fused
 *     multi-token kernel ({@link BlockType#hasDot4Tokens}, F16, BF16) up to {@link #FUSED_MAX_TOKENS}
 *     ({@link #matmulFused}; off by default).</li>
 * <li>matmul, small batches (up to one vector's lanes of tokens, batched decode, verification of
 *     drafts): panels of {@value #PANEL_ROWS} rows dequantized once per tile of {@value #TOKEN_TILE}
 *     tokens, multiplied by a register-blocked 4x4 f32 dot kernel ({@link F32Tile#dot4x4}), or a 4x5 one
 *     ({@link F32Tile#dot4x5}) where passes of 5 tokens over the panel are fewer (9 tokens: a verification of
 *     8 drafts), {@link #matmulTiled}; rows longer than {@link #TILED_CHUNK_COLS} (w_down) in column chunks of that
 *     many, each thread's panels through every chunk in turn.</li>
 * <li>matmul, large batches (prefill): {@link PrefillGemm}, a blocked GEMM over dequantized panels.</li>
 * </ul>
 * The matmul paths equal matvec within float rounding, not bit for bit.
 */
final class BlockMatrix implements Matrix {

    /**
     * Up to this many tokens, matmul is that many matvecs, one token after the other ({@link #matvecEach}); above,
     * the multi-token paths, which cost less per token from 3 tokens on. Measured (SmallBatchBench: 8192x5120, one
     * thread, CPU ms per call, the paths alternated call by call, medians of 9, load 0.8-2.3), at 2 tokens, one
     * matvec per token against the previous path:
     * <ul>
     * <li>against per-row dots of both tokens (each row read from memory once, from L1 for the second token; the
     *     two tokens' x, 2 x 20 KB, then share L1 with the weights): Q4_K 3.79 against 4.23, Q6_K 5.81 against
     *     6.46, Q4_0 4.38 against 5.12, IQ4_XS 5.40 against 5.89, Q5_K 6.26 against 6.36, Q3_K even;</li>
     * <li>Q8_0 4.73 (its two-row kernel) against 6.78 for the 4x4 register tile (the tiled path 6.97);</li>
     * <li>F16 and BF16: 11.47 and 7.93 against 12.32 and 8.43 for their fused kernel (the tiled path 11.00 and
     *     7.20).</li>
     * </ul>
     * At 3 tokens the tiled path wins (Q4_K 5.33 against 5.39, Q6_K 6.39 against 8.73, Q4_0 5.45 against 6.70),
     * and Q8_0's register tile (6.61 against 7.05). End to end ({@code jmistral bench --batch 2 --draft-tokens 1}
     * on the 2-layer Q4_K_M model, alternated with the previous build): two sequences together 13.4-17.2 tok/s
     * against 11.9-13.3 (less than one alone, 12.5-15.1, before), a forward verifying one draft 1.96-2.04x a
     * decode step against 2.32-2.60x (matrices with a copy in row tiles, {@link RowTiledMatrix}, run kernels of their
     * own). {@code -Djmistral.matmul.eachTokens=16 -Djmistral.matmul.fusedTokens=0
     * -Djmistral.matmul.registerTileTokens=0} keeps decode batches on matvec's arithmetic: each token's product
     * is then its matvec's, as long as the kernel reduces in the same order in both call sites (Vector API
     * reduceLanes(ADD) does not promise that: its order changes between interpreter, C1 and C2).
     */
    static final int EACH_MAX_TOKENS = Integer.getInteger("jmistral.matmul.eachTokens", 2);
    /** Tokens multiplied with one dequantized panel before moving to the next panel. */
    static final int TOKEN_TILE = 16;
    /** Rows dequantized together (the micro-kernel's row count). */
    static final int PANEL_ROWS = 4;
    /**
     * From 2 up to this many tokens, formats with a fused kernel ({@link BlockType#hasDot4Tokens}) run
     * {@link #matmulFused}; the tiled path from 4 tokens on. Measured (MatmulBench, one thread, CPU ms
     * per call, 16384x5120, alternating runs on the shared machine): Q8_0 fused 11.1-13.6 against
     * 14.2-18.9 for the per-token dots at n=2, 11.5-14.3 against 18.5-20.5 at n=3, even with the
     * 4x4 tiled kernel at n=4 (15.0-15.4 against 14.6-15.1) and behind it from 8 (26-31 against
     * 19-20: the fused kernel decodes the row again per 4 tokens and reads their 80 KB of x from L2).
     * BF16 (8192x5120): 9.0-9.2 against 9.7-10.5 at n=2, 9.9-11.0 against 12.9-14.0 at n=3; F16 even
     * at n=2 (11.8 against 11.2-11.5), 13.8-14.2 against 15.7-16.2 at n=3. The K-quants have no fused
     * kernel: one that decodes fully in registers (q*d*sc - dmin*m) lost to the per-token dots, which
     * take the min term from sums of x (Q4_K at n=2: 13.3-16.2 against 10.3-12.7; even at n=3); so
     * did the register-tiled ones (see {@link #REGISTER_TILE_MAX_TOKENS}). Q8_0 has a register-tiled
     * kernel, which runs first (ahead of its fused one at n=2 and 3).
     *
     * <p>Off by default since 2 tokens are two matvecs ({@link #EACH_MAX_TOKENS}): at 3 tokens the tiled path is
     * ahead today (SmallBatchBench, 8192x5120, one thread, medians of 11, load 0-0.2: F16 11.45 against 12.90 ms,
     * BF16 7.53 against 9.43), so the fused kernels run only with {@code -Djmistral.matmul.fusedTokens=3}.
     */
    static final int FUSED_MAX_TOKENS = Integer.getInteger("jmistral.matmul.fusedTokens", 0);

    /**
     * From 2 up to this many tokens, formats with a register-tiled kernel ({@link BlockType#hasDot4x4})
     * run {@link #matmulRegisterTiled}. {@code -Djmistral.matmul.registerTileTokens=0} turns it off.
     * Measured (SmallBatchBench, 8192x5120, one thread, CPU ms per call, alternated call by call,
     * medians of 11, load 14-16): Q8_0 6.96 against 8.21 for the fused 1x4 kernel and 10.2 for the
     * per-token dots at n=2, 7.40 against 9.10 (tiled) at n=3, 6.97 against 8.46 (tiled) at n=4;
     * from 5 tokens the tiled path is ahead (11.3 against 12.4 at n=5, 10.8 against 11.9 at n=8, even
     * at 9, 11.9 against 13.3 at 10, 14.6 against 14.9 at 16): the kernel decodes the rows again for
     * each group of 4 tokens, the tiled path once per 16.
     *
     * <p>Q4_K and Q6_K register-tiled kernels (same 4x4 shape; Q4_K's min term in a second pass from
     * x's sums per 32) were built, tested and measured in commit 8d9d95a, and removed: behind the
     * tiled path at every n from 3 (Q4_K 9.3 against 6.7 at n=4, 15.5 against 8.6 at n=8, 24.8
     * against 11.0 at n=9; Q6_K 17.0 against 9.0 at n=4, 27.2 against 10.7 at n=8) and behind the
     * per-token dots at n=2 (Q4_K 7.1 against 5.9). Their per-row weight decode (shift, mask, widen,
     * scale: 6 vector ops per 16 weights, plus per-sub-block scale broadcasts) is paid per group of 4
     * tokens and costs more than dequantizing the panel once into L2 and streaming it through the
     * f32 4x4 kernel. A 2 rows x 8 tokens Q4_K kernel (decode shared by 8 tokens) also lost (14.5
     * against 8.6 at n=8). On this machine (2 vCPUs of an AMD EPYC at 2.1 GHz, shared, load 10-16)
     * every path runs at 15-25 GMAC per CPU-second, far below the FMA units' rate.
     */
    static final int REGISTER_TILE_MAX_TOKENS = Integer.getInteger("jmistral.matmul.registerTileTokens", 4);

    private final BlockType block;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final long rowBytes;
    private final int blocksPerRow;

    BlockMatrix(BlockType block, int rows, int cols, MemorySegment data) {
        GgmlType type = block.type();
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type + ": dimensions must be positive");
        if (cols % block.blockSize() != 0) {
            throw new IllegalArgumentException("matrix of " + type + ": " + cols + " columns is not a multiple of the block size " + block.blockSize());
        }
        this.block = block;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.blocksPerRow = cols / block.blockSize();
        this.rowBytes = (long) blocksPerRow * block.blockBytes();
        // matvec's two-row path reads plain x: a format cannot have both (no format does)
        if (block.hasDot2Rows() && block.arrangesX()) throw new IllegalStateException(type + ": a two-row kernel on arranged x is not supported");
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type + " needs " + rowBytes * rows
                    + " bytes but its data has " + data.byteSize());
        }
    }

    public GgmlType type() { return block.type(); }

    BlockType blockType() { return block; }

    /** Bytes of its rows in place. */
    long bytes() { return rowBytes * rows; }

    public int rows() { return rows; }

    public int cols() { return cols; }

    public void matvec(float[] x, float[] out) {
        check(x, 1, out);
        matvecEach(x, 1, out);
    }

    /**
     * n matvecs, one token after the other ({@link #EACH_MAX_TOKENS}): each token's product is exactly its own
     * matvec's (same kernel, same x in L1, same split of rows), one parallel loop per token. Formats with a four-row
     * kernel run it ({@link #fourRowsEach}: four memory streams per thread); those with a two-row kernel run that
     * ({@link BlockType#dot2Rows}, each chunk's first half paired with its second half: two streams per thread); the
     * others their row kernel ({@link #rowKernelEach}).
     */
    private void matvecEach(float[] x, int n, float[] out) {
        if (!block.hasDot2Rows()) {
            rowKernelEach(x, n, out);
            return;
        }
        float[] sums = xSums(x, n); // [n][cols / sumsGroup] or null: shared by all rows
        int sumsPerToken = sums == null ? 0 : cols / block.sumsGroup();
        boolean fourRows = FOUR_ROWS && block.hasDot4Rows();
        for (int token = 0; token < n; token++) {
            int t = token;
            if (fourRows) {
                ComputePool.current().parallelForRange(rows, (start, end) -> fourRowsEach(x, t * cols, sums, t * sumsPerToken, start, end, out, t * rows));
                continue;
            }
            ComputePool.current().parallelForRange(rows, (start, end) -> {
                int half = (end - start + 1) / 2, xOff = t * cols, sumsOff = t * sumsPerToken, outOff = t * rows;
                for (int a = start, b = start + half; b < end; a++, b++) {
                    block.dot2Rows(data, a * rowBytes, b * rowBytes, x, xOff, sums, sumsOff, blocksPerRow, out, outOff + a, outOff + b);
                }
                int last = start + half - 1;
                if ((end - start) % 2 != 0) out[outOff + last] = block.dot(data, last * rowBytes, x, xOff, sums, sumsOff, blocksPerRow);
            });
        }
    }

    /**
     * Formats with a four-row kernel ({@link BlockType#dot4Rows}: Q8_0 with 16-lane vectors) run matvec with it:
     * each x vector loaded once per four rows, four streams of weights per thread. Measured ({@code bench --profile},
     * the 2-layer Q8_0 model, four pairs alternated with the two-row kernel): decode step 44.2-48.6 ms against
     * 59.3-61.8; w_down (32768 columns, its x in L2) 8.4-9.4 ms against 13.2-14.2, the output projection 15.1-16.7
     * against 19.8-21.0, w_gate 7.9-9.1 against 10.2-10.8. {@code -Djmistral.matvec.fourRows=false} turns it off.
     */
    static final boolean FOUR_ROWS = Boolean.parseBoolean(System.getProperty("jmistral.matvec.fourRows", "true"));

    /**
     * Rows [start, end) of token's product with the four-row kernel: row a of the range's first quarter with the rows
     * a quarter, a half and three quarters further (four streams far apart, as {@link BlockType#dot2Rows} pairs
     * halves); the rows left over (up to 3) one by one.
     */
    private void fourRowsEach(float[] x, int xOff, float[] sums, int sumsOff, int start, int end, float[] out, int outOff) {
        int q = (end - start) / 4;
        for (int a = start; a < start + q; a++) {
            block.dot4Rows(data, a * rowBytes, (a + q) * rowBytes, (a + 2 * q) * rowBytes, (a + 3 * q) * rowBytes, x, xOff, sums, sumsOff,
                    blocksPerRow, out, outOff + a, outOff + a + q, outOff + a + 2 * q, outOff + a + 3 * q);
        }
        for (int r = start + 4 * q; r < end; r++) out[outOff + r] = block.dot(data, r * rowBytes, x, xOff, sums, sumsOff, blocksPerRow);
    }

    /** x's sums over each g = {@link BlockType#sumsGroup()} values, [n][cols / g], or null when g is 0. */
    private float[] xSums(float[] x, int n) {
        int g = block.sumsGroup();
        if (g == 0) return null;
        float[] sums = new float[n * (cols / g)];
        writeXSums(x, n, sums, 0);
        return sums;
    }

    /** The n tokens' sums of x over each g = {@link BlockType#sumsGroup()} (not 0) values into dst[dstOff ..], [n][cols / g]. */
    private void writeXSums(float[] x, int n, float[] dst, int dstOff) {
        int g = block.sumsGroup();
        for (int t = 0; t < n; t++) XSums.into(x, t * cols, cols, g, dst, dstOff + t * (cols / g));
    }

    public void matmul(float[] x, int n, float[] out) {
        check(x, n, out);
        // one token is a matvec: the same kernel (and arithmetic) as a decode step, for instance Q8_0's two-row
        // kernel, which prefill's last-token logits otherwise missed, running the one-row dot that decode never
        // compiles (the prefill profile's output projection took 70 ms against decode's 22)
        if (n <= EACH_MAX_TOKENS) matvecEach(x, n, out);
        else if (n >= 2 && n <= REGISTER_TILE_MAX_TOKENS && block.hasDot4x4()) matmulRegisterTiled(x, n, out);
        else if (n >= 2 && n <= FUSED_MAX_TOKENS && block.hasDot4Tokens()) matmulFused(x, n, out);
        else if (n <= VectorLanes.LANES) matmulTiled(x, n, out);
        else PrefillGemm.matmul(block, data, rows, cols, rowBytes, x, n, out);
    }

    /** The small-batch matmul paths, for benchmarks that compare them in one process ({@code SmallBatchBench}). */
    enum SmallBatchPath { EACH, FUSED, REGISTER_TILED, TILED, TILED_GROUPS_OF_4 }

    /** {@link #matmul} through one given path (a format without that path's kernel runs its scalar reference there). */
    void matmul(SmallBatchPath path, float[] x, int n, float[] out) {
        check(x, n, out);
        switch (path) {
            case EACH -> matvecEach(x, n, out);
            case FUSED -> matmulFused(x, n, out);
            case REGISTER_TILED -> matmulRegisterTiled(x, n, out);
            case TILED -> matmulTiled(x, n, out);
            case TILED_GROUPS_OF_4 -> matmulTiled(x, n, out, false);
        }
    }

    /**
     * {@link #matvecEach} for formats without a two-row kernel: for each token, a parallel loop over the rows with
     * the format's row kernel ({@link BlockType#dotArranged}; x of all n tokens arranged once where
     * {@link BlockType#arrangesX}); rows over {@link #LONG_ROW_COLS} columns in column chunks.
     */
    private void rowKernelEach(float[] x, int n, float[] out) {
        ComputePool pool = ComputePool.current();
        float[] buf = borrowKernelX(pool, x, n);
        float[] xa = block.arrangesX() ? buf : x, sums = block.sumsGroup() == 0 ? null : buf;
        int sums0 = kernelSumsOffset(n), sumsPerToken = block.sumsGroup() == 0 ? 0 : cols / block.sumsGroup();
        int chunkBlocks = chunkBlocks();
        try {
            for (int token = 0; token < n; token++) {
                int xOff = token * cols, sumsOff = sums0 + token * sumsPerToken, outOff = token * rows;
                if (chunkBlocks == blocksPerRow) {
                    pool.parallelForRange(rows, (start, end) -> {
                        for (int r = start; r < end; r++) out[outOff + r] = block.dotArranged(data, r * rowBytes, xa, xOff, sums, sumsOff, blocksPerRow);
                    });
                } else {
                    pool.parallelForRange(rows, (start, end) -> rowKernelInColumnChunks(xa, xOff, sums, sumsOff, chunkBlocks, start, end, out, outOff));
                }
            }
        } finally {
            if (buf != null) pool.giveBack(buf);
        }
    }

    /**
     * The n tokens' x as the row kernels ({@link BlockType#dotArranged}) read it, in one array the pool lends (give it
     * back): [n][cols] in the kernel's order where the format arranges x ({@link BlockType#arrangesX}), then x's sums
     * [n][cols / g] where it takes sums ({@link BlockType#sumsGroup}), from {@link #kernelSumsOffset}; null when it
     * needs neither (the kernels then read x itself). A block's arrangement and sums do not depend on its neighbours,
     * so columns [c, c + k) of the result serve a slice of the row that starts at column c.
     */
    float[] borrowKernelX(ComputePool pool, float[] x, int n) {
        int g = block.sumsGroup(), xaFloats = kernelSumsOffset(n), sumsFloats = g == 0 ? 0 : n * (cols / g);
        if (xaFloats + sumsFloats == 0) return null;
        float[] buf = pool.borrowFloats(xaFloats + sumsFloats);
        if (xaFloats != 0) for (int t = 0; t < n; t++) block.arrangeX(x, t * cols, buf, t * cols, blocksPerRow);
        if (g != 0) writeXSums(x, n, buf, xaFloats);
        return buf;
    }

    /** Where x's sums start in {@link #borrowKernelX}'s array: after the arranged x, if the format arranges it. */
    int kernelSumsOffset(int n) {
        return block.arrangesX() ? n * cols : 0;
    }

    /**
     * Rows longer than this many columns (x over 32 KB of floats, past L1) run {@link #rowKernelEach} in
     * column chunks of {@link #LONG_ROW_CHUNK_COLS}; 0 turns that off.
     */
    static final int LONG_ROW_COLS = Integer.getInteger("jmistral.matvec.longRowCols", 8192);
    /** Columns per chunk of a long row: 4096 floats of x (16 KB per token) stay in L1 for a block of rows. */
    static final int LONG_ROW_CHUNK_COLS = 4096;
    /** Rows that take each column chunk in turn before the next chunk: the chunk of x is read from L1 by all of them. */
    static final int LONG_ROW_BLOCK_ROWS = 8;

    /** Blocks per column chunk of {@link #rowKernelEach}: the whole row, or for long rows {@link #LONG_ROW_CHUNK_COLS} columns' worth. */
    private int chunkBlocks() {
        if (LONG_ROW_COLS <= 0 || cols <= LONG_ROW_COLS) return blocksPerRow;
        return Math.max(1, LONG_ROW_CHUNK_COLS / block.blockSize());
    }

    /**
     * {@link #rowKernelEach} for rows [start, end) of a matrix with long rows (w_down: 32768 columns; its
     * arranged x is 128 KB per token, in L2, and the row kernels read one x vector per 16 weights):
     * rows in blocks of {@value #LONG_ROW_BLOCK_ROWS}, and within a block the columns in chunks,
     * each chunk's partial dot added to the row's sum. Every row of the block reads the chunk of x from
     * L1; the weights are read as {@value #LONG_ROW_BLOCK_ROWS} streams that each go on where they left off.
     * Measured (one thread, CPU time, the 2-layer Q4_K_M model's w_down, 5120x32768, alternated in one JVM):
     * Q4_K 10.9-11.3 against 13.4-15.5 ms per matvec; Q6_K 17.5 against 18.3; Q8_0 (row by row, without its
     * two-row kernel) 14.5 against 14.8; on 5120-column matrices chunks only cost (Q6_K 2x slower at 2048-column chunks).
     */
    private void rowKernelInColumnChunks(float[] xa, int xOff, float[] sums, int sumsOff, int chunkBlocks, int start, int end, float[] out, int outOff) {
        int bs = block.blockSize(), g = block.sumsGroup();
        for (int r0 = start; r0 < end; r0 += LONG_ROW_BLOCK_ROWS) {
            int r1 = Math.min(end, r0 + LONG_ROW_BLOCK_ROWS);
            java.util.Arrays.fill(out, outOff + r0, outOff + r1, 0f);
            for (int b0 = 0; b0 < blocksPerRow; b0 += chunkBlocks) {
                int nb = Math.min(chunkBlocks, blocksPerRow - b0), c0 = b0 * bs;
                long offset = (long) b0 * block.blockBytes();
                for (int r = r0; r < r1; r++) {
                    out[outOff + r] += block.dotArranged(data, r * rowBytes + offset, xa, xOff + c0, sums, sumsOff + (g == 0 ? 0 : c0 / g), nb);
                }
            }
        }
    }

    /**
     * Batched decode with a format's fused kernel ({@link BlockType#dot4Tokens}): per row and group of 4
     * tokens, the row's blocks are decoded into registers once and FMA'd into the 4 tokens'
     * accumulators; no decoded weights in memory. Rows are split over the pool and streamed in order
     * (taking the columns in L1-sized chunks across rows instead made the weight reads strided: 2x
     * slower). Within float rounding of matvec.
     */
    private void matmulFused(float[] x, int n, float[] out) {
        int groups = (n + 3) / 4;
        ComputePool.current().parallelForRange(rows, (start, end) -> {
            float[] out4 = new float[4];
            for (int r = start; r < end; r++) {
                for (int g = 0; g < groups; g++) {
                    int t0 = 4 * g, last = n - 1; // a group short of 4 tokens repeats its last one
                    block.dot4Tokens(data, r * rowBytes, blocksPerRow, x, t0 * cols, Math.min(t0 + 1, last) * cols,
                            Math.min(t0 + 2, last) * cols, Math.min(t0 + 3, last) * cols, out4);
                    for (int j = 0; j < 4 && t0 + j < n; j++) out[(t0 + j) * rows + r] = out4[j];
                }
            }
        });
    }

    /**
     * Batched decode with a format's register-tiled kernel ({@link BlockType#dot4x4}): rows in tiles of
     * 4, split over the pool; per tile, each group of 4 tokens is one kernel call that decodes the 4
     * rows' weights into registers and FMAs them into 4 x 4 accumulators (no decoded weights in
     * memory). The tile's bytes come from memory for the first token group and from L1/L2 for the
     * others. A tile short of 4 rows repeats its last row, a group short of 4 tokens its last token.
     * Within float rounding of matvec.
     */
    private void matmulRegisterTiled(float[] x, int n, float[] out) {
        float[] sums = xSums(x, n);
        int sumsPerToken = sums == null ? 0 : cols / block.sumsGroup();
        int tiles = (rows + 3) / 4;
        ComputePool.current().parallelForRange(tiles, (p0, p1) -> {
            long[] rowAt = new long[4];
            int[] xAt = new int[4], sumsAt = new int[4];
            float[] out16 = new float[16];
            for (int p = p0; p < p1; p++) {
                int r0 = 4 * p, nr = Math.min(4, rows - r0);
                for (int i = 0; i < 4; i++) rowAt[i] = (r0 + Math.min(i, nr - 1)) * rowBytes;
                for (int t0 = 0; t0 < n; t0 += 4) {
                    int nt = Math.min(4, n - t0);
                    for (int j = 0; j < 4; j++) {
                        int t = t0 + Math.min(j, nt - 1);
                        xAt[j] = t * cols;
                        sumsAt[j] = t * sumsPerToken;
                    }
                    block.dot4x4(data, rowAt, blocksPerRow, x, xAt, sums, sumsAt, out16);
                    for (int i = 0; i < nr; i++) {
                        for (int j = 0; j < nt; j++) out[(t0 + j) * rows + r0 + i] = out16[4 * i + j];
                    }
                }
            }
        });
    }

    /**
     * Small batches (batched decode, up to LANES tokens): rows in panels of {@value #PANEL_ROWS},
     * split over the pool. For each tile of {@value #TOKEN_TILE} tokens, a panel is dequantized once into an f32 buffer
     * [PANEL_ROWS][cols] and multiplied with the tile by the register-blocked 4 rows x 4 tokens
     * {@link F32Tile} kernel; panel (80 KB at cols 5120) and token tile (320 KB) stay in L2. Weight
     * bytes are decoded n/TOKEN_TILE times instead of n times. Not bit-identical to matvec (a
     * different summation order), within float rounding of it.
     */
    private void matmulTiled(float[] x, int n, float[] out) {
        matmulTiled(x, n, out, FIVE_TOKEN_PASSES);
    }

    /** {@code -Djmistral.matmul.fiveTokenPasses=false} turns {@link F32Tile#dot4x5} off in {@link #matmulTiled}. */
    static final boolean FIVE_TOKEN_PASSES = Boolean.parseBoolean(System.getProperty("jmistral.matmul.fiveTokenPasses", "true"));

    /**
     * Rows up to this many columns take {@link F32Tile#dot4x5} passes: past it, 5 tokens' x and the panel (9 x cols
     * floats, 1.2 MB at w_down's 32768 columns) leave L2, and a 4x5 pass cost 1.4x two 4x4 passes there
     * (SmallBatchBench, 5120x32768, n = 9). Longer rows are taken in chunks of {@link #TILED_CHUNK_COLS} (when on),
     * each of which is within this: with chunks of 16384 columns, 9 tokens in a 4x5 and a 4x4 pass took 43.2-45.5 ms
     * against 53.9 for three 4x4 passes (Q6_K 5120 x 32768, one pinned thread; Q4_K 32.6-35.7 against 36.7).
     */
    static final int FIVE_TOKEN_MAX_COLS = 16384;

    /** {@link #matmulTiled}, with or without passes of {@link F32Tile#dot4x5} where they are fewer than of 4 tokens (false: for A/B runs). */
    private void matmulTiled(float[] x, int n, float[] out, boolean fiveTokenPass) {
        ComputePool pool = ComputePool.current();
        boolean chunked = TILED_CHUNK_COLS > 0 && cols > TILED_CHUNK_COLS;
        int panelCount = (rows + PANEL_ROWS - 1) / PANEL_ROWS, panelFloats = PANEL_ROWS * (chunked ? TILED_CHUNK_COLS : cols);
        if (!chunked) {
            float[] panels = pool.borrowFloats(pool.threads() * panelFloats); // each thread's panel, nothing allocated per call
            try {
                pool.parallelForRange(panelCount, (p0, p1) ->
                        tiledRange(x, 0, cols, 0, n, out, 0, panels, pool.threadIndex() * panelFloats, fiveTokenPass, p0, p1));
            } finally {
                pool.giveBack(panels);
            }
            return;
        }
        // long rows: each thread takes its panels through every column chunk in turn (one parallel loop), the first
        // chunk's products into out, the others' into the thread's own products [n][rows] and added to out (its rows
        // only); x copied out once, chunk by chunk: [chunks][n][len]
        int chunk = TILED_CHUNK_COLS, xcAt = pool.threads() * panelFloats, partAt = xcAt + n * cols;
        float[] buf = pool.borrowFloats(partAt + pool.threads() * n * rows); // panels | x by chunk | each thread's products
        try {
            for (int c0 = 0; c0 < cols; c0 += chunk) {
                int len = Math.min(chunk, cols - c0);
                for (int t = 0; t < n; t++) System.arraycopy(x, t * cols + c0, buf, xcAt + n * c0 + t * len, len);
            }
            pool.parallelForRange(panelCount, (p0, p1) -> {
                int thread = pool.threadIndex(), w0 = thread * panelFloats, part = partAt + thread * n * rows;
                int r0 = p0 * PANEL_ROWS, r1 = Math.min(rows, p1 * PANEL_ROWS);
                for (int c0 = 0; c0 < cols; c0 += chunk) {
                    int len = Math.min(chunk, cols - c0);
                    tiledRange(buf, xcAt + n * c0, len, c0, n, c0 == 0 ? out : buf, c0 == 0 ? 0 : part, buf, w0, fiveTokenPass, p0, p1);
                    if (c0 == 0) continue;
                    for (int t = 0; t < n; t++) {
                        for (int r = r0; r < r1; r++) out[t * rows + r] += buf[part + t * rows + r];
                    }
                }
            });
        } finally {
            pool.giveBack(buf);
        }
    }

    /**
     * Rows longer than this many columns (w_down's 32768) take the tiled path in column chunks of this many, each
     * thread taking its panels through every chunk in turn: a panel is dequantized and multiplied one chunk at a time
     * (256 KB, with 512 KB of x for 8 tokens), where a whole row's x (1 MB for 8 tokens) and panel (512 KB) did not fit
     * in L2 together; the 4x5 passes ({@link #FIVE_TOKEN_MAX_COLS}) then serve long rows too. Each chunk's products are added to the
     * previous chunks' (within float rounding of the whole row). Measured (MatmulBench, 5120 x 32768, one thread pinned
     * with taskset, CPU ms per call, alternated, 2026-12-07): chunks of 8192 against whole rows, three rounds, Q4_K at
     * 8 tokens 30.6-34.3 against 45.7-47.1, at 9 tokens 42.6-45.9 against 58.2-62.2, at 4 tokens 22.1-24.7 against
     * 27.7-31.6 (32768 x 5120 at 8 tokens, unchanged, 31.5-33.3: per weight the same now); 16384 against 8192 and whole
     * rows, two rounds: Q4_K at 8 tokens 30.0-30.1 against 30.5-31.6 and 41.9-48.5, Q8_0 42.2-42.6 against 45.0-46.8
     * and 44.9-47.3, Q6_K in place 39.9-42.5 against 41.2-41.5 and 45.9-50.6; 4096 was behind 8192. On two threads
     * (wall ms, three alternated rounds) the gain is at 9 tokens (verifying 8 drafts: a 4x5 and a 4x4 pass where whole
     * rows took three 4x4 passes): 18.8-20.5 against 33.2-40.0 (4096: 20.0-22.7); at 8 and 4 tokens all even (23-27,
     * 15-19). First the chunks were one parallel loop each (over all rows, the products added on the calling thread);
     * one loop in which each thread takes its panels through all chunks read, on two threads, five rounds alternated:
     * 4 tokens 16.8-17.2 ms against 17.4-20.6, 8 tokens 22.2-25.7 against 24.9-28.7. 0 turns it off
     * ({@code -Djmistral.matmul.tiledChunkCols=0}).
     */
    static final int TILED_CHUNK_COLS = Integer.getInteger("jmistral.matmul.tiledChunkCols", 16384);

    /**
     * The tiled path for panels [p0, p1) over columns [c0, c0 + len) (c0 a multiple of the block size): x [n][len] at
     * x[xAt ..], products [n][rows] to out[outAt ..] (those panels' rows), the calling thread's panel [PANEL_ROWS][len]
     * at w[w0 ..].
     */
    private void tiledRange(float[] x, int xAt, int len, int c0, int n, float[] out, int outAt, float[] w, int w0, boolean fiveTokenPass, int p0, int p1) {
        boolean fives = fiveTokenPass && len <= FIVE_TOKEN_MAX_COLS;
        int blocks = len / block.blockSize();
        long colBytes = (long) (c0 / block.blockSize()) * block.blockBytes();
        for (int t0 = 0; t0 < n; t0 += TOKEN_TILE) {
            int t1 = Math.min(n, t0 + TOKEN_TILE);
            for (int p = p0; p < p1; p++) {
                int r0 = p * PANEL_ROWS, nr = Math.min(PANEL_ROWS, rows - r0), o = outAt + r0;
                for (int i = 0; i < nr; i++) block.dequantize(data, (r0 + i) * rowBytes + colBytes, w, w0 + i * len, blocks);
                int t = t0, m = t1 - t0;
                if (fives && nr == PANEL_ROWS && m >= 5 && (m + 4) / 5 < (m + 3) / 4) {
                    // fewer passes over the panel in fives (5, 9, 10, 13, 14, 15 tokens): each pass re-reads the
                    // panel, and a 4x5 pass costs little more than a 4x4 one; the last one ends at the tile's end
                    for (; t < t1; t += 5) {
                        int first = Math.min(t, t1 - 5);
                        F32Tile.dot4x5(w, w0, x, xAt + first * len, len, out, rows, o, first);
                    }
                }
                for (; t + 4 <= t1; t += 4) {
                    if (nr == PANEL_ROWS) F32Tile.dot4x4(w, w0, x, xAt + t * len, len, out, rows, o, t);
                    else for (int i = 0; i < nr; i++) F32Tile.dot1x4(w, w0 + i * len, x, xAt + t * len, len, out, rows, o + i, t);
                }
                if (t < t1 && nr == PANEL_ROWS) {
                    // 1-3 tokens left: after a group, one more group of 4 ending at the tile's end (it
                    // computes some tokens again, to the same values); alone (2 or 3 tokens), one group
                    // that repeats its last token. 8 loads per 16 FMAs either way, where a dot per row
                    // and token loads 8 per 4 FMAs: 3 tokens cost what 4 do.
                    if (t1 - t0 >= 4) F32Tile.dot4x4(w, w0, x, xAt + (t1 - 4) * len, len, out, rows, o, t1 - 4);
                    else F32Tile.dot4x4(w, w0, x, xAt + t * len, t1 - t, len, out, rows, o, t);
                    t = t1;
                }
                for (; t < t1; t++) F32Tile.dotRowsX1(w, w0, nr, x, xAt + t * len, len, out, rows, o, t);
            }
        }
    }

    public Matrix firstRows(int n) {
        if (n < 1 || n > rows) throw new IllegalArgumentException("first " + n + " rows of a matrix with " + rows);
        return new BlockMatrix(block, n, cols, data.asSlice(0, n * rowBytes)); // a mapped file stays a mapped segment
    }

    public void dequantizeRow(int row, float[] dst, int offset) {
        if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of a matrix with " + rows + " rows");
        block.dequantize(data, row * rowBytes, dst, offset, blocksPerRow);
    }

    void check(float[] x, int n, float[] out) {
        if (n < 1) throw new IllegalArgumentException("matmul with " + n + " tokens");
        if (x.length < (long) n * cols) throw new IllegalArgumentException("input has " + x.length + " floats, needs " + n + " x " + cols);
        if (out.length < (long) n * rows) throw new IllegalArgumentException("output has " + out.length + " floats, needs " + n + " x " + rows);
    }

    @Override
    public String toString() {
        return "Matrix " + rows + "x" + cols + " " + block.type();
    }
}
