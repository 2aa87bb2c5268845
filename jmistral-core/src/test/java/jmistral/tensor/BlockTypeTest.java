package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every format's vector kernels against its scalar reference, on random blocks: dot, dequantize,
 * and the Matrix built on them (matvec, tiled matmul, dequantizeRow), odd row counts, several
 * column counts including a single block.
 */
class BlockTypeTest {

    static final String TYPES = "F32|F16|BF16|Q8_0|Q4_0|Q4_1|Q5_0|Q5_1|Q2_K|Q3_K|Q4_K|Q5_K|Q6_K|IQ4_NL|IQ4_XS";

    /** Column counts: one block, a few blocks, and (plain types) lengths with vector tails. */
    static int[] colCounts(GgmlType t) {
        return t.isQuantized() ? new int[] {t.blockSize, 3 * t.blockSize, 2048} : new int[] {1, 37, 256, 1003};
    }

    /** Reference row as floats. */
    static float[] referenceRow(BlockType bt, MemorySegment w, long rowBytes, int r, int cols) {
        float[] row = new float[cols];
        for (int b = 0; b < cols / bt.blockSize(); b++) bt.dequantizeBlock(w, r * rowBytes + (long) b * bt.blockBytes(), row, b * bt.blockSize());
        return row;
    }

    /** Tolerance for a float dot product: a small multiple of the sum of |terms|. */
    static float tolerance(float[] row, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < row.length; i++) s += Math.abs((double) row[i] * x[xOff + i]);
        return (float) (2e-6 * s * Math.max(1, Math.log(row.length))) + 1e-30f;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void vectorKernelsMatchScalarReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        assertEquals(type, bt.type());
        Random rnd = new Random(type.ordinal() * 31L + 7);
        for (int cols : colCounts(type)) {
            int rows = 7;
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            long rowBytes = type.bytesFor(cols);
            int blocks = cols / type.blockSize;
            float[] x = RandomWeights.vector(cols, rnd);
            for (int r = 0; r < rows; r++) {
                float[] ref = referenceRow(bt, w, rowBytes, r, cols);
                float expected = bt.dotReference(w, r * rowBytes, x, 0, blocks);
                float actual = bt.dot(w, r * rowBytes, x, 0, blocks);
                assertEquals(expected, actual, tolerance(ref, x, 0), type + " dot, row " + r + ", cols " + cols);

                float[] fast = new float[cols + 3];
                bt.dequantize(w, r * rowBytes, fast, 3, blocks);
                for (int c = 0; c < cols; c++) {
                    assertEquals(ref[c], fast[3 + c], Math.abs(ref[c]) * 1e-6f, type + " dequantize, row " + r + " col " + c);
                }
            }
        }
    }

    /**
     * The fused 4-token kernel against the scalar reference, per token: whole rows and a run of blocks
     * inside a row (batched matmul calls it per column chunk), 4 distinct tokens and a group that
     * repeats one (a batch short of 4), tokens at arbitrary offsets in one array. The formats with a
     * fused kernel ({@link BlockType#hasDot4Tokens}); the others' dot4Tokens is the reference itself.
     */
    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0"})
    void fusedFourTokenDotMatchesScalarReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        assertTrue(bt.hasDot4Tokens(), type + " has a fused kernel");
        Random rnd = new Random(type.ordinal() * 53L + 11);
        for (int cols : colCounts(type)) {
            int rows = 5, blocks = cols / type.blockSize;
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            long rowBytes = type.bytesFor(cols);
            float[] x = RandomWeights.vector(4 * cols + 7, rnd);
            int[][] tokenSets = {{7, cols + 7, 2 * cols + 7, 3 * cols + 7}, {3 * cols + 5, 0, 0, 0}};
            // whole row, and (several blocks) the blocks after the first
            int[] firstBlocks = blocks > 1 ? new int[] {0, 1} : new int[] {0};
            for (int r = 0; r < rows; r++) {
                float[] ref = referenceRow(bt, w, rowBytes, r, cols);
                for (int b0 : firstBlocks) {
                    int nb = blocks - b0, c0 = b0 * type.blockSize;
                    long at = r * rowBytes + (long) b0 * type.blockBytes;
                    float[] refPart = java.util.Arrays.copyOfRange(ref, c0, cols);
                    for (int[] xs : tokenSets) {
                        float[] out4 = new float[4];
                        bt.dot4Tokens(w, at, nb, x, xs[0] + c0, xs[1] + c0, xs[2] + c0, xs[3] + c0, out4);
                        for (int j = 0; j < 4; j++) {
                            float expected = bt.dotReference(w, at, x, xs[j] + c0, nb);
                            assertEquals(expected, out4[j], tolerance(refPart, x, xs[j] + c0),
                                    type + " dot4Tokens, row " + r + ", cols " + cols + ", from block " + b0 + ", token " + j);
                        }
                    }
                }
            }
        }
    }

    /**
     * A multi-row decode kernel's case: 9 random rows of {@code cols} columns, x at an offset, and for formats that take
     * sums of x, the sums at an offset too; {@link #assertRow} holds one row's result to the scalar reference and to
     * the one-row dot.
     */
    private record RowsCase(GgmlType type, BlockType bt, int rows, int cols, MemorySegment w, long rowBytes, float[] x, int xOff,
                            float[] sums, int sumsOff) {
        static RowsCase of(GgmlType type, int cols, Random rnd, int xOff, int sumsOff) {
            BlockType bt = BlockType.of(type);
            int rows = 9;
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            float[] x = RandomWeights.vector(cols + xOff, rnd);
            int g = bt.sumsGroup();
            float[] sums = null;
            if (g != 0) {
                sums = new float[sumsOff + cols / g];
                XSums.into(x, xOff, cols, g, sums, sumsOff);
            }
            return new RowsCase(type, bt, rows, cols, w, type.bytesFor(cols), x, xOff, sums, sumsOff);
        }

        int blocks() { return cols / type.blockSize; }

        long at(int row) { return row * rowBytes; }

        void assertRow(int r, float actual, String what) {
            float[] ref = referenceRow(bt, w, rowBytes, r, cols);
            float tol = tolerance(ref, x, xOff);
            String where = type + " " + what + ", row " + r + ", cols " + cols;
            assertEquals(bt.dotReference(w, at(r), x, xOff, blocks()), actual, tol, where);
            assertEquals(bt.dot(w, at(r), x, xOff, sums, sumsOff, blocks()), actual, tol, where + " against dot");
        }
    }

    /**
     * The two-row decode kernel ({@link BlockType#dot2Rows}) against the scalar reference and the
     * one-row dot, per row: rows far apart and adjacent, the same row twice, x at an offset, and for
     * formats with sums of x, the sums at an offset too.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void twoRowDotMatchesScalarReference(GgmlType type) {
        Random rnd = new Random(type.ordinal() * 71L + 5);
        for (int cols : colCounts(type)) {
            RowsCase c = RowsCase.of(type, cols, rnd, 5, 3);
            int[][] pairs = {{0, 8}, {3, 4}, {7, 2}, {5, 5}};
            for (int[] p : pairs) {
                float[] out = new float[c.rows() + 2];
                c.bt().dot2Rows(c.w(), c.at(p[0]), c.at(p[1]), c.x(), c.xOff(), c.sums(), c.sumsOff(), c.blocks(), out, p[0] + 1, p[1] + 1);
                for (int r : p) c.assertRow(r, out[r + 1], "dot2Rows, rows " + p[0] + " and " + p[1]);
            }
        }
    }

    /**
     * The four-row decode kernel ({@link BlockType#dot4Rows}) against the scalar reference and the one-row dot, per
     * row: four rows far apart, adjacent, in any order, one row repeated, x at an offset (and its sums at an offset,
     * for formats that take them). Formats without a four-row kernel run their two-row kernel twice.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void fourRowDotMatchesScalarReference(GgmlType type) {
        Random rnd = new Random(type.ordinal() * 73L + 11);
        for (int cols : colCounts(type)) {
            RowsCase c = RowsCase.of(type, cols, rnd, 7, 2);
            int[][] quads = {{0, 2, 4, 8}, {3, 4, 5, 6}, {8, 1, 7, 0}, {5, 5, 2, 5}};
            for (int[] q : quads) {
                float[] out = new float[c.rows() + 5];
                // outputs at 1 + row, except a repeated row, whose later copies go past the rows (1 + rows + i)
                int[] at = new int[4];
                for (int i = 0; i < 4; i++) {
                    boolean repeated = false;
                    for (int k = 0; k < i; k++) repeated |= q[k] == q[i];
                    at[i] = repeated ? 1 + c.rows() + i : 1 + q[i];
                }
                c.bt().dot4Rows(c.w(), c.at(q[0]), c.at(q[1]), c.at(q[2]), c.at(q[3]), c.x(), c.xOff(), c.sums(), c.sumsOff(), c.blocks(),
                        out, at[0], at[1], at[2], at[3]);
                for (int i = 0; i < 4; i++) c.assertRow(q[i], out[at[i]], "dot4Rows, rows " + java.util.Arrays.toString(q));
            }
        }
    }

    /**
     * The register-tiled 4 rows x 4 tokens kernel against the scalar reference, per row and token:
     * whole rows and a run of blocks inside them, 4 distinct rows and a tile that repeats its last
     * row (a matrix short of 4 rows), 4 distinct tokens and a group that repeats one, tokens at
     * arbitrary offsets in one array with their sums of x where the format takes them. The formats
     * with a tiled kernel ({@link BlockType#hasDot4x4}); the others' dot4x4 is the reference itself.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0"})
    void registerTiledDotMatchesScalarReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        assertTrue(bt.hasDot4x4(), type + " has a register-tiled kernel");
        Random rnd = new Random(type.ordinal() * 71L + 5);
        for (int cols : colCounts(type)) {
            int rows = 6, blocks = cols / type.blockSize, g = bt.sumsGroup();
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            long rowBytes = type.bytesFor(cols);
            float[] x = RandomWeights.vector(4 * cols + 7, rnd);
            int[][] tokenSets = {{7, cols + 7, 2 * cols + 7, 3 * cols + 7}, {3 * cols + 5, 0, 0, 0}};
            int[][] rowSets = {{0, 1, 2, 3}, {2, 3, 4, 5}, {1, 5, 5, 5}};
            int[] firstBlocks = blocks > 1 ? new int[] {0, 1} : new int[] {0};
            float[][] ref = new float[rows][];
            for (int r = 0; r < rows; r++) ref[r] = referenceRow(bt, w, rowBytes, r, cols);
            for (int b0 : firstBlocks) {
                int nb = blocks - b0, c0 = b0 * type.blockSize;
                for (int[] rs : rowSets) {
                    long[] rowAt = new long[4];
                    for (int i = 0; i < 4; i++) rowAt[i] = rs[i] * rowBytes + (long) b0 * type.blockBytes;
                    for (int[] xs : tokenSets) {
                        int[] xAt = new int[4], sumsAt = new int[4];
                        float[] sums = null;
                        if (g > 0) { // each token's sums over the run's columns, one token after another
                            sums = new float[4 * (nb * type.blockSize / g)];
                            for (int j = 0; j < 4; j++) {
                                sumsAt[j] = j * (nb * type.blockSize / g);
                                XSums.into(x, xs[j] + c0, nb * type.blockSize, g, sums, sumsAt[j]);
                            }
                        }
                        for (int j = 0; j < 4; j++) xAt[j] = xs[j] + c0;
                        float[] out16 = new float[16];
                        bt.dot4x4(w, rowAt, nb, x, xAt, sums, sumsAt, out16);
                        for (int i = 0; i < 4; i++) {
                            float[] refPart = java.util.Arrays.copyOfRange(ref[rs[i]], c0, cols);
                            for (int j = 0; j < 4; j++) {
                                float expected = bt.dotReference(w, rowAt[i], x, xAt[j], nb);
                                assertEquals(expected, out16[4 * i + j], tolerance(refPart, x, xAt[j]),
                                        type + " dot4x4, rows " + java.util.Arrays.toString(rs) + ", cols " + cols + ", from block " + b0 + ", row " + i + ", token " + j);
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void matrixMatvecMatmulAndRowsMatchReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 131L + 3);
        for (int cols : colCounts(type)) {
            int rows = cols > 1000 ? 13 : 29; // odd row counts
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            Matrix m = Matrix.of(type, rows, cols, w);
            assertEquals(rows, m.rows());
            assertEquals(cols, m.cols());
            long rowBytes = type.bytesFor(cols);
            float[][] ref = new float[rows][];
            for (int r = 0; r < rows; r++) {
                ref[r] = referenceRow(bt, w, rowBytes, r, cols);
                float[] row = new float[cols + 1];
                m.dequantizeRow(r, row, 1);
                for (int c = 0; c < cols; c++) assertEquals(ref[r][c], row[1 + c], Math.abs(ref[r][c]) * 1e-6f, type + " dequantizeRow");
            }
            // batched decode: 2, 3 (per-token dots, fused or register-tiled kernels, or one padded group of the tiled
            // path), 5, 7, 8, 9, 13 (groups of 4 and an overlapping last group); 21 > one token tile, not a multiple of 4
            for (int n : new int[] {1, 2, 3, 5, 7, 8, 9, 13, 21}) {
                float[] x = RandomWeights.vector(n * cols, rnd);
                float[] out = new float[n * rows];
                m.matmul(x, n, out);
                for (int t = 0; t < n; t++) {
                    float[] xt = java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
                    float[] mv = new float[rows];
                    m.matvec(xt, mv);
                    for (int r = 0; r < rows; r++) {
                        double expected = 0; // reference row (scalar dequantization) . x[t], in double
                        for (int c = 0; c < cols; c++) expected += (double) ref[r][c] * x[t * cols + c];
                        float tol = tolerance(ref[r], x, t * cols);
                        assertEquals(expected, mv[r], tol, type + " matvec row " + r + " cols " + cols);
                        assertEquals(mv[r], out[t * rows + r], 2 * tol, type + " matmul vs matvec, token " + t + " of " + n + ", row " + r);
                    }
                }
            }
        }
    }

    /**
     * Long rows (past {@link BlockMatrix#LONG_ROW_COLS}): matvec and the per-token dots of tiny batches
     * run in column chunks, rows in blocks ({@link BlockMatrix#LONG_ROW_BLOCK_ROWS}), each chunk's
     * partial dot added to the row's sum. Against the scalar reference in double, for every format: a
     * last column chunk shorter than the others (cols not a multiple of the chunk) and a last row block
     * short of a whole one (13 rows), 1 and 2 tokens.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void longRowsInColumnChunksMatchReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 29L + 7);
        int cols = 2 * BlockMatrix.LONG_ROW_COLS + 3 * 256, rows = BlockMatrix.LONG_ROW_BLOCK_ROWS + 5;
        assertTrue(cols % BlockMatrix.LONG_ROW_CHUNK_COLS != 0, "a short last chunk");
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        Matrix m = Matrix.of(type, rows, cols, w);
        long rowBytes = type.bytesFor(cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = referenceRow(bt, w, rowBytes, r, cols);
        for (int n : new int[] {1, 2}) {
            float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
            if (n == 1) m.matvec(x, out);
            else m.matmul(x, n, out);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    for (int c = 0; c < cols; c++) expected += (double) ref[r][c] * x[t * cols + c];
                    assertEquals(expected, out[t * rows + r], tolerance(ref[r], x, t * cols), type + " " + n + " token(s), token " + t + ", row " + r);
                }
            }
        }
    }

    /**
     * The tiled small-batch path itself at every token count it may be given (up to a 16-token tile and
     * past it), whatever LANES this JVM runs with (matmul sends it only n up to LANES): groups of 4, a
     * last group overlapping the one before or padded, single tokens, a last row panel short of 4 rows
     * (13 rows), columns past the last whole vector (F32's 1003).
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_K", "Q6_K", "IQ4_XS"})
    void tiledMatmulAtEveryTokenCountMatchesMatvec(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 17L + 9);
        int rows = 13, cols = type.isQuantized() ? 2048 + 256 : 1003;
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        BlockMatrix m = new BlockMatrix(bt, rows, cols, w);
        long rowBytes = type.bytesFor(cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = referenceRow(bt, w, rowBytes, r, cols);
        float[] mv = new float[rows];
        for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 25}) {
            float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
            m.matmul(BlockMatrix.SmallBatchPath.TILED, x, n, out);
            for (int t = 0; t < n; t++) {
                m.matvec(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), mv);
                for (int r = 0; r < rows; r++) {
                    assertEquals(mv[r], out[t * rows + r], 2 * tolerance(ref[r], x, t * cols), type + " tiled, token " + t + " of " + n + ", row " + r);
                }
            }
        }
    }

    /**
     * Rows longer than {@link BlockMatrix#TILED_CHUNK_COLS} (w_down) take the tiled path in column chunks, each chunk's
     * products added to the last: against the scalar reference in double, with a last chunk of one block (cols not a
     * multiple of the chunk), a last row panel short of 4 rows (13 rows), and the token counts of batched decode and of
     * verifying drafts (passes of 4 and of 5 tokens, a single token left, two token tiles).
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_K", "Q6_K", "IQ4_XS"})
    void tiledMatmulOverLongRowsInColumnChunksMatchesReference(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 23L + 5);
        int rows = 13, cols = 2 * BlockMatrix.TILED_CHUNK_COLS + 256;
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        BlockMatrix m = new BlockMatrix(bt, rows, cols, w);
        long rowBytes = type.bytesFor(cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = referenceRow(bt, w, rowBytes, r, cols);
        for (int n : new int[] {3, 4, 5, 8, 9, 17}) {
            float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
            m.matmul(BlockMatrix.SmallBatchPath.TILED, x, n, out);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    for (int c = 0; c < cols; c++) expected += (double) ref[r][c] * x[t * cols + c];
                    assertEquals(expected, out[t * rows + r], tolerance(ref[r], x, t * cols), type + " tiled in column chunks, token " + t + " of " + n + ", row " + r);
                }
            }
        }
    }

    /**
     * A prefill-sized batch through {@link PrefillGemm} on long rows (8192 columns: 32 column blocks),
     * an odd token count (the last tile half empty, the tile count padded to even) and a row count that
     * is not a multiple of its 12-row panel.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K", "F16"})
    void prefillMatmulAcrossTokenGroupsMatchesMatvec(GgmlType type) {
        assertMatmulMatchesMatvec(type, 11, 8192, 150, new Random(type.ordinal() * 7L + 1));
    }

    /**
     * {@link PrefillGemm}'s blocking edges: several row blocks and a last one with a partial 12-row
     * panel, two token groups (more than {@link PrefillGemm#GROUP_TOKENS} tokens, the last one short)
     * and, where the format allows it, a last column block shorter than {@link PrefillGemm#KC}.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K", "F16"})
    void prefillMatmulAcrossRowColumnAndTokenBlocksMatchesMatvec(GgmlType type) {
        int rows = 2 * PrefillGemm.rowsPerBlock(Integer.MAX_VALUE, 1) + 13, n = PrefillGemm.GROUP_TOKENS + 37;
        int cols = type.blockSize == 256 ? 3 * 256 : 2 * 256 + 96; // Q8_0 and F16: a last column block of 96
        assertMatmulMatchesMatvec(type, rows, cols, n, new Random(type.ordinal() * 11L + 5));
    }

    /** matmul of n random tokens through a random rows x cols matrix equals each token's matvec within twice the reference tolerance. */
    private static void assertMatmulMatchesMatvec(GgmlType type, int rows, int cols, int n, Random rnd) {
        BlockType bt = BlockType.of(type);
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        Matrix m = Matrix.of(type, rows, cols, w);
        long rowBytes = type.bytesFor(cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = referenceRow(bt, w, rowBytes, r, cols);
        float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows], mv = new float[rows];
        m.matmul(x, n, out);
        for (int t = 0; t < n; t++) {
            m.matvec(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), mv);
            for (int r = 0; r < rows; r++) {
                assertEquals(mv[r], out[t * rows + r], 2 * tolerance(ref[r], x, t * cols), type + " token " + t + " of " + n + ", row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_1", "Q8_K", "IQ2_XXS", "IQ1_M", "I8", "F64"})
    void unsupportedTypesGiveAClearError(GgmlType type) {
        var e = assertThrows(UnsupportedOperationException.class, () -> Matrix.of(type, 1, 256, MemorySegment.ofArray(new byte[1024])));
        assertTrue(e.getMessage().contains(type.name()), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q8_0"})
    void badShapesGiveAClearError(GgmlType type) {
        var e = assertThrows(IllegalArgumentException.class, () -> Matrix.of(type, 2, 3 * type.blockSize, MemorySegment.ofArray(new byte[10])));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Matrix.of(type, 2, 17, MemorySegment.ofArray(new byte[4096])));
        assertTrue(e2.getMessage().contains("block size"), e2.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0"})
    void matvecRejectsShortVectors(GgmlType type) {
        Matrix m = Matrix.of(type, 3, 64, RandomWeights.matrix(type, 3, 64, new Random(1)));
        assertThrows(IllegalArgumentException.class, () -> m.matvec(new float[63], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> m.matvec(new float[64], new float[2]));
        float[] row = new float[64];
        assertThrows(IndexOutOfBoundsException.class, () -> m.dequantizeRow(3, row, 0));
        assertArrayEquals(new float[64], row);
    }
}
