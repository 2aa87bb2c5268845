package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The products over the copy in row tiles (one token to {@link RowTiledMatrix#MAX_TOKENS}, in passes of 8, 4 and 1;
 * more, prefill, through the prefill GEMM over panels dequantized from the tiles or the matrix in place's) against the scalar reference (each row
 * dequantized block by block, dot in double precision) and against the matrix in place; row lookups are the matrix in
 * place's.
 */
class RowTiledMatrixTest {
    private static final BlockType Q6_K = BlockType.of(GgmlType.Q6_K);

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q6_K", "Q4_K"})
    void productsMatchTheScalarReference(GgmlType type) throws Exception {
        for (boolean replacePages : new boolean[] {true, false}) productsMatchTheScalarReference(type, replacePages);
    }

    /** replacePages: prefill (65 tokens and more) through {@link StripGemm} over the tiles, else mostly the matrix in place's. */
    private static void productsMatchTheScalarReference(GgmlType type, boolean replacePages) {
        BlockType block = BlockType.of(type);
        // 37 rows: one unit of 64 rows that runs past the last row; 130: two whole units and a partial one;
        // 8448 columns: two column chunks (8192 + 256); 448, 512 and 128 rows: whole units only (7, 8 and 2), whose single
        // token takes strips a quarter of each thread's range apart, whole rows (RowTiledMatrix.oneTokenSpread)
        int[][] shapes = {{37, 5 * 256}, {130, 8448}, {448, 5 * 256}, {512, 2 * 256}, {128, 8448}};
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1];
            Random rnd = new Random(rows * 31L + cols);
            MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
            BlockMatrix inPlace = new BlockMatrix(block, rows, cols, w);
            RowTiledMatrix tiled = RowTiledMatrix.copyOf(inPlace, w, replacePages);
            long rowBytes = type.bytesFor(cols);
            float[][] ref = new float[rows][];
            for (int r = 0; r < rows; r++) ref[r] = BlockTypeTest.referenceRow(block, w, rowBytes, r, cols);
            try (ComputePool pool = new ComputePool(2)) {
                pool.within(() -> {
                    // up to 64 (RowTiledMatrix.MAX_TOKENS): passes of 8, 4 and 1 (17: 8, 8 and 1; 30: 8, 8, 8 and 6
                    // in a pass of 8; 47: five of 8, 4 and 3 in one of 4), each unit's passes in turn; 65 and more:
                    // prefill's GEMM over the tiles (StripGemm: 65, five groups of 12 and passes of 4 and 1; beside the
                    // pages 90 through the matrix in place's, StripGemm.aheadOfPanels)
                    for (int n : new int[] {1, 2, 3, 4, 5, 8, 9, 12, 13, 16, 17, 30, 47, 64, 65, 90}) {
                        float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows], inPlaceOut = new float[n * rows];
                        java.util.Arrays.fill(out, Float.NaN); // every element written, none read
                        if (n == 1) tiled.matvec(x, out);
                        else tiled.matmul(x, n, out);
                        inPlace.matmul(x, n, inPlaceOut);
                        for (int t = 0; t < n; t++) {
                            for (int r = 0; r < rows; r++) {
                                double dot = 0;
                                for (int c = 0; c < cols; c++) dot += (double) ref[r][c] * x[t * cols + c];
                                float tol = BlockTypeTest.tolerance(ref[r], x, t * cols);
                                String where = type + " " + rows + "x" + cols + (replacePages ? "" : " beside its pages") + ", " + n + " tokens, token " + t + " row " + r;
                                assertEquals(dot, out[t * rows + r], tol, where + " against the scalar reference");
                                assertEquals(inPlaceOut[t * rows + r], out[t * rows + r], 2 * tol, where + " against the matrix in place");
                            }
                        }
                    }
                });
            }
        }
    }

    @Test
    void prefillEqualsTheMatrixInPlaceAndRowsAndFirstRowsAreIts() {
        Random rnd = new Random(3);
        int rows = 21, cols = 4 * 256, n = RowTiledMatrix.MAX_TOKENS + 1;
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, rnd);
        BlockMatrix inPlace = new BlockMatrix(Q6_K, rows, cols, w);
        RowTiledMatrix tiled = RowTiledMatrix.copyOf(inPlace, w, true);
        assertEquals(64 * cols / 256 * 276, tiled.copiedBytes(), "one unit of 64 rows, 276 bytes per 256 weights");
        assertEquals(tiled.copiedBytes(), RowTiledMatrix.copyBytes(RowTileFormat.Q6_K_INT8, rows, cols));
        assertEquals(0, inPlace.copiedBytes());
        assertEquals(GgmlType.Q6_K, tiled.type());
        assertEquals(rows, tiled.rows());
        assertEquals(cols, tiled.cols());

        float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows], expected = new float[n * rows];
        tiled.matmul(x, n, out);
        inPlace.matmul(x, n, expected);
        // the same weights (Q6_K's tiles hold its floats exactly) through the same GEMM: the same sums, bit for bit
        assertArrayEquals(expected, out, n + " tokens: the matrix in place's product");

        float[] row = new float[cols + 3], expectedRow = new float[cols + 3];
        tiled.dequantizeRow(20, row, 3);
        inPlace.dequantizeRow(20, expectedRow, 3);
        assertArrayEquals(expectedRow, row);

        Matrix first = tiled.firstRows(5);
        assertEquals(5, first.rows());
        float[] v = RandomWeights.vector(cols, rnd), all = new float[rows], five = new float[5];
        tiled.matvec(v, all);
        first.matvec(v, five);
        for (int r = 0; r < 5; r++) assertEquals(all[r], five[r], 1e-6f * (1 + Math.abs(all[r])), "row " + r + " of the first 5");
    }

    @Test
    void q6KRowsLongerThan4096ColumnsAndQ4KGetTiles() {
        Random rnd = new Random(4);
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q6_K, 3, 10240, rnd)));
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q6_K, 3, 5120, rnd)), "the output projection");
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q6_K, 3, 4096, rnd)), "w_o's rows");
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q4_K, 3, 10240, rnd)));
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q4_K, 3, 4096, rnd)), "w_o's rows");
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q5_K, 3, 10240, rnd)));
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(view(GgmlType.Q8_0, 3, 10240, rnd)));

        // and it multiplies like the matrix in place
        TensorView t = view(GgmlType.Q6_K, 7, 10240, rnd);
        float[] x = RandomWeights.vector(10240, rnd), a = new float[7], b = new float[7];
        Matrix.withTiledCopy(t).matvec(x, a);
        Matrix.of(t).matvec(x, b);
        for (int r = 0; r < 7; r++) assertEquals(b[r], a[r], 1e-4f * (1 + Math.abs(b[r])), "row " + r);
    }

    @Test
    void stripGemmTakesTheTokenCountsItComputesWithLessPadding() {
        int[][] padded = {{12, 12}, {5, 8}, {8, 8}, {9, 12}, {17, 20}, {21, 24}, {23, 24}, {47, 48}, {64, 64}, {512, 512}, {513, 516}};
        for (int[] p : padded) assertEquals(p[1], StripGemm.paddedTokens(p[0]), p[0] + " tokens");
        if (VectorLanes.LANES == 16) { // the in-place GEMM computes pairs of 16-token tiles
            for (int n : new int[] {17, 24, 28, 33, 48, 72}) assertTrue(StripGemm.aheadOfPanels(n), n + " tokens: fewer columns over the tiles");
            for (int n : new int[] {29, 32, 64, 512}) assertFalse(StripGemm.aheadOfPanels(n), n + " tokens: the matrix in place's GEMM");
        }
    }

    @Test
    void aCopyOverTheBudgetIsNotMade() {
        TensorView t = view(GgmlType.Q6_K, 64, 10240, new Random(6));
        long copy = RowTiledMatrix.copyBytes(RowTileFormat.Q6_K_INT8, 64, 10240), own = t.data().byteSize();
        assertEquals(64 * 40 * 276, copy, "276 bytes per 256 weights");
        assertEquals(64 * 40 * 210, own, "Q6_K: 210 bytes per 256 weights");
        assertEquals(64 * 40 * 152, RowTiledMatrix.copyBytes(RowTileFormat.Q4_K_NIBBLES, 64, 10240), "Q4_K: 152 bytes per 256 weights");
        assertEquals(copy, Matrix.tiledCopyBytes(t));
        assertEquals(0, Matrix.tiledCopyBytes(view(GgmlType.Q8_0, 64, 10240, new Random(7))));
        // the budget is what the copy adds: in place of the tensor's pages, the copy less the tensor's bytes
        long added = copy - own;
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(t, added, true));
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(t, added - 1, true));
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(t, -1, true));
        Matrix copied = Matrix.withTiledCopy(t, added, true);
        assertEquals(copy, copied.copiedBytes());
        assertEquals(own, copied.replacedBytes(), "prefill reads the copy: nothing reads the tensor's bytes");
        assertEquals(0, Matrix.of(t).replacedBytes());
        // beside the tensor's pages, all of the copy
        assertInstanceOf(RowTiledMatrix.class, Matrix.withTiledCopy(t, copy, false));
        assertInstanceOf(BlockMatrix.class, Matrix.withTiledCopy(t, copy - 1, false));
        assertEquals(0, Matrix.withTiledCopy(t, copy, false).replacedBytes());
    }

    @Test
    void onlyQ6KAndQ4KAreRepacked() {
        MemorySegment w = RandomWeights.matrix(GgmlType.Q8_0, 2, 1024, new Random(5));
        assertThrows(IllegalArgumentException.class, () -> RowTiledMatrix.copyOf(new BlockMatrix(BlockType.of(GgmlType.Q8_0), 2, 1024, w), w, true));
    }

    private static TensorView view(GgmlType type, int rows, int cols, Random rnd) {
        return new TensorView("w", type, new long[] {cols, rows}, RandomWeights.matrix(type, rows, cols, rnd));
    }
}
