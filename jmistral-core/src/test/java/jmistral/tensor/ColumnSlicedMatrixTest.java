package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The matvec over column slices against the scalar reference (each row dequantized block by block, dot in double
 * precision tolerance) and against the matrix in place; everything else is the matrix in place's.
 */
class ColumnSlicedMatrixTest {

    @ParameterizedTest
    @EnumSource(names = {"Q6_K", "Q4_K", "Q8_0", "Q5_K", "F32"})
    void matvecOverSlicesMatchesScalarReference(GgmlType type) throws Exception {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 13L + 1);
        int rows = 37, sliceCols = 256, cols = 5 * sliceCols; // odd rows: chunks of rows end mid-panel
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        BlockMatrix inPlace = new BlockMatrix(bt, rows, cols, w);
        ColumnSlicedMatrix sliced = ColumnSlicedMatrix.copyOf(inPlace, w, sliceCols);
        long rowBytes = type.bytesFor(cols);
        try (ComputePool pool = new ComputePool(2)) {
            pool.within(() -> {
                for (int trial = 0; trial < 3; trial++) {
                    float[] x = RandomWeights.vector(cols, rnd), out = new float[rows], expected = new float[rows];
                    sliced.matvec(x, out);
                    inPlace.matvec(x, expected);
                    for (int r = 0; r < rows; r++) {
                        float[] ref = BlockTypeTest.referenceRow(bt, w, rowBytes, r, cols);
                        double dot = 0;
                        for (int c = 0; c < cols; c++) dot += (double) ref[c] * x[c];
                        float tol = BlockTypeTest.tolerance(ref, x, 0);
                        assertEquals(dot, out[r], tol, type + " row " + r + " against the scalar reference");
                        assertEquals(expected[r], out[r], 2 * tol, type + " row " + r + " against the matrix in place");
                    }
                    // one token's matmul is the matvec (the same kernel; within rounding, as a kernel's lane reduction
                    // may sum in another order once it is compiled: see BatchInvarianceTest)
                    float[] viaMatmul = new float[rows];
                    sliced.matmul(x, 1, viaMatmul);
                    for (int r = 0; r < rows; r++) {
                        float tol = BlockTypeTest.tolerance(BlockTypeTest.referenceRow(bt, w, rowBytes, r, cols), x, 0);
                        assertEquals(out[r], viaMatmul[r], tol, type + " row " + r + ": one token's matmul");
                    }
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q6_K", "Q4_K", "Q8_0"})
    void twoTokensAreTwoMatvecsOverTheSlices(GgmlType type) throws Exception {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 7L + 2);
        int rows = 23, sliceCols = 256, cols = 3 * sliceCols, n = BlockMatrix.EACH_MAX_TOKENS;
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        ColumnSlicedMatrix sliced = ColumnSlicedMatrix.copyOf(new BlockMatrix(bt, rows, cols, w), w, sliceCols);
        long rowBytes = type.bytesFor(cols);
        try (ComputePool pool = new ComputePool(2)) {
            pool.within(() -> {
                float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
                sliced.matmul(x, n, out);
                for (int t = 0; t < n; t++) {
                    float[] mv = new float[rows];
                    sliced.matvec(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), mv);
                    for (int r = 0; r < rows; r++) {
                        float[] ref = BlockTypeTest.referenceRow(bt, w, rowBytes, r, cols);
                        double dot = 0;
                        for (int c = 0; c < cols; c++) dot += (double) ref[c] * x[t * cols + c];
                        float tol = BlockTypeTest.tolerance(ref, x, t * cols);
                        assertEquals(dot, out[t * rows + r], tol, type + " token " + t + " row " + r + " against the scalar reference");
                        assertEquals(mv[r], out[t * rows + r], tol, type + " token " + t + " row " + r + " against its own matvec");
                    }
                }
            });
        }
    }

    @Test
    void productsOfSeveralTokensRowsAndFirstRowsAreTheMatrixInPlace() {
        GgmlType type = GgmlType.Q6_K;
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(3);
        int rows = 21, cols = 4 * 256;
        MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
        BlockMatrix inPlace = new BlockMatrix(bt, rows, cols, w);
        ColumnSlicedMatrix sliced = ColumnSlicedMatrix.copyOf(inPlace, w, 512);
        assertEquals(rows * Q6_KGroups.bytesFor(cols), sliced.copiedBytes(), "every weight, repacked into 20-byte groups of 16");
        assertEquals(sliced.copiedBytes(), ColumnSlicedMatrix.copyBytes(bt, rows, cols));
        assertEquals(0, inPlace.copiedBytes());
        assertEquals(type, sliced.type());
        assertEquals(rows, sliced.rows());
        assertEquals(cols, sliced.cols());

        float[] x = RandomWeights.vector(9 * cols, rnd), out = new float[9 * rows], expected = new float[9 * rows];
        sliced.matmul(x, 9, out);
        inPlace.matmul(x, 9, expected);
        for (int i = 0; i < out.length; i++) {
            assertEquals(expected[i], out[i], 1e-5f * (1 + Math.abs(expected[i])), "9 tokens: the matrix in place's product, at " + i);
        }

        float[] row = new float[cols + 3], expectedRow = new float[cols + 3];
        sliced.dequantizeRow(20, row, 3);
        inPlace.dequantizeRow(20, expectedRow, 3);
        assertArrayEquals(expectedRow, row);

        Matrix first = sliced.firstRows(5);
        assertEquals(5, first.rows());
        float[] v = RandomWeights.vector(cols, rnd), all = new float[rows], five = new float[5];
        sliced.matvec(v, all);
        first.matvec(v, five);
        for (int r = 0; r < 5; r++) assertEquals(all[r], five[r], 1e-4f * (1 + Math.abs(all[r])), "row " + r + " of the first 5");
    }

    @Test
    void onlyQ6KRowsLongerThan4096ColumnsAreSliced() {
        BlockType q6 = BlockType.of(GgmlType.Q6_K);
        assertEquals(2048, ColumnSlicedMatrix.sliceColsFor(q6, 32768), "w_down");
        assertEquals(2560, ColumnSlicedMatrix.sliceColsFor(q6, 5120), "the output projection");
        assertEquals(0, ColumnSlicedMatrix.sliceColsFor(q6, 4096), "w_o's rows stay whole");
        assertEquals(0, ColumnSlicedMatrix.sliceColsFor(BlockType.of(GgmlType.Q4_K), 32768), "Q4_K gained too little to copy");
        assertEquals(0, ColumnSlicedMatrix.sliceColsFor(BlockType.of(GgmlType.Q8_0), 32768), "Q8_0's two-row kernel reads whole rows faster");

        Random rnd = new Random(4);
        assertInstanceOf(ColumnSlicedMatrix.class, Matrix.withColumnSlices(view(GgmlType.Q6_K, 3, 10240, rnd)));
        assertInstanceOf(BlockMatrix.class, Matrix.withColumnSlices(view(GgmlType.Q4_K, 3, 10240, rnd)));
        assertInstanceOf(BlockMatrix.class, Matrix.withColumnSlices(view(GgmlType.Q6_K, 3, 4096, rnd)));

        // and it multiplies like the matrix in place
        TensorView t = view(GgmlType.Q6_K, 7, 10240, rnd);
        float[] x = RandomWeights.vector(10240, rnd), a = new float[7], b = new float[7];
        Matrix.withColumnSlices(t).matvec(x, a);
        Matrix.of(t).matvec(x, b);
        for (int r = 0; r < 7; r++) assertEquals(b[r], a[r], 1e-4f * (1 + Math.abs(b[r])), "row " + r);
    }

    @Test
    void aCopyOverTheBudgetIsNotMade() {
        TensorView t = view(GgmlType.Q6_K, 3, 10240, new Random(6));
        long copy = ColumnSlicedMatrix.copyBytes(BlockType.of(GgmlType.Q6_K), 3, 10240);
        assertEquals(3 * 40 * Q6_KGroups.BLOCK_BYTES, copy, "320 bytes per 256 weights");
        assertInstanceOf(ColumnSlicedMatrix.class, Matrix.withColumnSlices(t, copy));
        assertInstanceOf(BlockMatrix.class, Matrix.withColumnSlices(t, copy - 1), "the tensor's own size (210 per 256) fits, the copy does not");
        assertInstanceOf(BlockMatrix.class, Matrix.withColumnSlices(t, t.data().byteSize()));
    }

    @Test
    void sliceWidthsThatDoNotCutIntoWholeBlocksAreRefused() {
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, 2, 1024, new Random(5));
        BlockMatrix m = new BlockMatrix(BlockType.of(GgmlType.Q6_K), 2, 1024, w);
        assertThrows(IllegalArgumentException.class, () -> ColumnSlicedMatrix.copyOf(m, w, 384)); // does not divide 1024
        assertThrows(IllegalArgumentException.class, () -> ColumnSlicedMatrix.copyOf(m, w, 128)); // half a 256-weight block
        assertThrows(IllegalArgumentException.class, () -> ColumnSlicedMatrix.copyOf(m, w, 0));
    }

    private static TensorView view(GgmlType type, int rows, int cols, Random rnd) {
        return new TensorView("w", type, new long[] {cols, rows}, RandomWeights.matrix(type, rows, cols, rnd));
    }
}
