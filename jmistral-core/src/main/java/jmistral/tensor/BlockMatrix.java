package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The one {@link Matrix} implementation: W [rows][cols] stored row-major in any {@link BlockType},
 * each row {@code cols / blockSize} consecutive blocks, used in place (no copy of the weights).
 *
 * <ul>
 * <li>matvec (decode): rows split over the {@link ComputePool}; each row is one fused
 *     {@link BlockType#dot} over its blocks (weights read once, straight from the segment).</li>
 * <li>matmul, tiny batches (up to {@link #EXACT_MAX_TOKENS} tokens): per row, per token, the same
 *     fused dot as matvec; the row's bytes are read from memory once and from L1 for the other
 *     tokens.</li>
 * <li>matmul, large batches (prefill): panels of {@value #PANEL_ROWS} rows dequantized once per
 *     tile of {@value #TOKEN_TILE} tokens, multiplied by a register-blocked 4x4 f32 kernel
 *     ({@link F32Tile}). Equal to matvec within float rounding, not bit for bit.</li>
 * </ul>
 */
final class BlockMatrix implements Matrix {

    /**
     * Up to this many tokens, matmul runs matvec's fused dot per token ({@link #matmulExact});
     * above, the tiled path, which costs far less per token. Measured (5120x32768, one thread, CPU
     * time, MatmulBench): tiled wins from 4 tokens on (Q8_0 129 vs 74 tok/cpu-s at n=4, 197 vs 87 at
     * n=8; Q4_K 105 vs 24 at n=4). {@code -Djmistral.matmul.exactTokens=16} keeps decode batches on
     * matvec's arithmetic, which is then equal to each token's matvec as long as the kernel reduces
     * in the same order in both call sites; Vector API reduceLanes(ADD) does not promise that (its
     * order changes between interpreter, C1 and C2), so exact batch invariance needs fixed-order
     * reductions in the kernels.
     */
    static final int EXACT_MAX_TOKENS = Integer.getInteger("jmistral.matmul.exactTokens", 3);
    /** Tokens multiplied with one dequantized panel before moving to the next panel. */
    static final int TOKEN_TILE = 16;
    /** Rows dequantized together (the micro-kernel's row count). */
    static final int PANEL_ROWS = 4;

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
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type + " needs " + rowBytes * rows
                    + " bytes but its data has " + data.byteSize());
        }
    }

    public GgmlType type() { return block.type(); }

    public int rows() { return rows; }

    public int cols() { return cols; }

    public void matvec(float[] x, float[] out) {
        check(x, 1, out);
        float[] sums = xSums(x, 1); // [cols / sumsGroup] or null: shared by all rows
        ComputePool.shared().parallelForRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) out[r] = block.dot(data, r * rowBytes, x, 0, sums, 0, blocksPerRow);
        });
    }

    /** x's sums over each g = {@link BlockType#sumsGroup()} values, [n][cols / g], or null when g is 0. */
    private float[] xSums(float[] x, int n) {
        int g = block.sumsGroup();
        if (g == 0) return null;
        float[] sums = new float[n * (cols / g)];
        for (int t = 0; t < n; t++) XSums.into(x, t * cols, cols, g, sums, t * (cols / g));
        return sums;
    }

    public void matmul(float[] x, int n, float[] out) {
        check(x, n, out);
        if (n <= EXACT_MAX_TOKENS) matmulExact(x, n, out);
        else matmulTiled(x, n, out);
    }

    /**
     * Tiny batches: each row, then each token, with the very {@link BlockType#dot} that
     * {@link #matvec} runs (same arithmetic as each token's own matvec, see {@link #EXACT_MAX_TOKENS}).
     * The row's bytes come from memory for the first token and from L1 for the others.
     */
    private void matmulExact(float[] x, int n, float[] out) {
        float[] sums = xSums(x, n);
        int sumsPerToken = sums == null ? 0 : cols / block.sumsGroup();
        ComputePool.shared().parallelForRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                long at = r * rowBytes;
                for (int t = 0; t < n; t++) out[t * rows + r] = block.dot(data, at, x, t * cols, sums, t * sumsPerToken, blocksPerRow);
            }
        });
    }

    /**
     * Large batches (prefill): rows in panels of {@value #PANEL_ROWS}, split over the pool. For each
     * tile of {@value #TOKEN_TILE} tokens, a panel is dequantized once into an f32 buffer
     * [PANEL_ROWS][cols] and multiplied with the tile by the register-blocked 4 rows x 4 tokens
     * {@link F32Tile} kernel; panel (80 KB at cols 5120) and token tile (320 KB) stay in L2. Weight
     * bytes are decoded n/TOKEN_TILE times instead of n times. Not bit-identical to matvec (a
     * different summation order), within float rounding of it.
     */
    private void matmulTiled(float[] x, int n, float[] out) {
        int panels = (rows + PANEL_ROWS - 1) / PANEL_ROWS;
        ComputePool.shared().parallelForRange(panels, (p0, p1) -> {
            float[] w = new float[PANEL_ROWS * cols]; // one dequantized panel: [PANEL_ROWS][cols]
            for (int t0 = 0; t0 < n; t0 += TOKEN_TILE) {
                int t1 = Math.min(n, t0 + TOKEN_TILE);
                for (int p = p0; p < p1; p++) {
                    int r0 = p * PANEL_ROWS, nr = Math.min(PANEL_ROWS, rows - r0);
                    for (int i = 0; i < nr; i++) block.dequantize(data, (r0 + i) * rowBytes, w, i * cols, blocksPerRow);
                    int t = t0;
                    for (; t + 4 <= t1; t += 4) {
                        if (nr == PANEL_ROWS) F32Tile.dot4x4(w, 0, x, t * cols, cols, out, rows, r0, t);
                        else for (int i = 0; i < nr; i++) F32Tile.dot1x4(w, i * cols, x, t * cols, cols, out, rows, r0 + i, t);
                    }
                    for (; t < t1; t++) {
                        for (int i = 0; i < nr; i++) out[t * rows + r0 + i] = VectorMath.dot(w, i * cols, x, t * cols, cols);
                    }
                }
            }
        });
    }

    public void dequantizeRow(int row, float[] dst, int offset) {
        if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of a matrix with " + rows + " rows");
        block.dequantize(data, row * rowBytes, dst, offset, blocksPerRow);
    }

    private void check(float[] x, int n, float[] out) {
        if (n < 1) throw new IllegalArgumentException("matmul with " + n + " tokens");
        if (x.length < (long) n * cols) throw new IllegalArgumentException("input has " + x.length + " floats, needs " + n + " x " + cols);
        if (out.length < (long) n * rows) throw new IllegalArgumentException("output has " + out.length + " floats, needs " + n + " x " + rows);
    }

    @Override
    public String toString() {
        return "Matrix " + rows + "x" + cols + " " + block.type();
    }
}
