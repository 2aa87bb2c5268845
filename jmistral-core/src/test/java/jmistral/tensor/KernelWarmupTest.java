package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Matrix.firstRows is the same rows over the same memory; KernelWarmup uses one matrix per format, cut to its first rows. */
class KernelWarmupTest {

    @Test
    void firstRowsAreTheSameRowsWithoutACopy() {
        int rows = 37, cols = 512;
        MemorySegment w = RandomWeights.matrix(GgmlType.Q4_K, rows, cols, new Random(3));
        Matrix m = Matrix.of(GgmlType.Q4_K, rows, cols, w);
        Matrix first = m.firstRows(9);
        assertEquals(9, first.rows());
        assertEquals(cols, first.cols());
        assertEquals(GgmlType.Q4_K, first.type());
        float[] x = RandomWeights.vector(cols, new Random(4)), all = new float[rows], some = new float[9];
        m.matvec(x, all);
        first.matvec(x, some);
        float[] row = new float[cols], rowOfFirst = new float[cols];
        for (int r = 0; r < 9; r++) {
            assertEquals(all[r], some[r], 1e-4f * Math.max(1f, Math.abs(all[r])), "row " + r);
            m.dequantizeRow(r, row, 0);
            first.dequantizeRow(r, rowOfFirst, 0);
            assertEquals(java.util.Arrays.toString(row), java.util.Arrays.toString(rowOfFirst), "row " + r);
        }
        w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 20, (byte) (w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 20) ^ 0x55));
        m.dequantizeRow(0, row, 0);
        first.dequantizeRow(0, rowOfFirst, 0);
        assertEquals(java.util.Arrays.toString(row), java.util.Arrays.toString(rowOfFirst), "a change to the bytes shows in both: same memory");
        assertThrows(IllegalArgumentException.class, () -> m.firstRows(38));
        assertThrows(IllegalArgumentException.class, () -> m.firstRows(0));
    }

    @Test
    void oneMatrixPerFormatCutToItsFirstRows() {
        Random rnd = new Random(5);
        Matrix q8big = Matrix.of(GgmlType.Q8_0, 100, 256, RandomWeights.matrix(GgmlType.Q8_0, 100, 256, rnd));
        Matrix q4small = Matrix.of(GgmlType.Q4_K, 10, 512, RandomWeights.matrix(GgmlType.Q4_K, 10, 512, rnd));
        Matrix q8other = Matrix.of(GgmlType.Q8_0, 50, 512, RandomWeights.matrix(GgmlType.Q8_0, 50, 512, rnd));
        Matrix f16 = Matrix.of(GgmlType.F16, 70, 96, RandomWeights.matrix(GgmlType.F16, 70, 96, rnd));
        List<Matrix> used = KernelWarmup.run(List.of(q8big, q4small, q8other, f16));
        assertEquals(List.of(GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.F16), used.stream().map(Matrix::type).toList());
        assertEquals(List.of(KernelWarmup.ROWS, 10, KernelWarmup.ROWS), used.stream().map(Matrix::rows).toList());
    }

    @Test
    void aMatrixWithATiledCopyIsWarmedBesideTheFormatsMatrixInPlace() {
        Random rnd = new Random(6);
        int cols = 5120; // Q6_K rows this long get a copy in row tiles
        Matrix inPlace = Matrix.of(GgmlType.Q6_K, 8, cols, RandomWeights.matrix(GgmlType.Q6_K, 8, cols, rnd));
        Matrix tiled = Matrix.withTiledCopy(new TensorView("out", GgmlType.Q6_K, new long[] {cols, 9},
                RandomWeights.matrix(GgmlType.Q6_K, 9, cols, rnd)));
        List<Matrix> used = KernelWarmup.run(List.of(inPlace, tiled, inPlace));
        assertEquals(List.of(BlockMatrix.class, RowTiledMatrix.class), used.stream().map(Object::getClass).toList());
        assertEquals(List.of(8, 9), used.stream().map(Matrix::rows).toList());
        // and after the matrices in place, whatever the order they come in (the block kernels are compiled first)
        List<Matrix> tiledFirst = KernelWarmup.run(List.of(tiled, inPlace));
        assertEquals(List.of(BlockMatrix.class, RowTiledMatrix.class), tiledFirst.stream().map(Object::getClass).toList());
    }
}
