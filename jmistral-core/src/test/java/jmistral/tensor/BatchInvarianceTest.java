package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batches of 1..16 tokens (decode steps of several sequences) against each token's own matvec, every
 * type, odd row counts, every small-batch matmul path (one matvec per token up to {@link BlockMatrix#EACH_MAX_TOKENS},
 * Q8_0's register tile up to {@link BlockMatrix#REGISTER_TILE_MAX_TOKENS}, tiled above; the fused kernels of
 * {@link BlockMatrix#FUSED_MAX_TOKENS}, off by default, are held to their reference in BlockTypeTest), at the tight tolerance of one float dot product.
 *
 * <p>Why not bit for bit: the Vector API leaves the order of {@code reduceLanes(ADD)} unspecified,
 * and the interpreter's fallback, C1 and C2 (which may also move a reduction out of a loop) sum lanes
 * differently, so the very same {@link BlockType#dot} on the same inputs changes in its last bit when
 * it gets compiled (measured: Q4_K gave 3 distinct values over 200k calls in one JVM). Exact batch
 * invariance needs kernels that reduce in a fixed order (see {@link BlockMatrix}).
 */
class BatchInvarianceTest {

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void smallBatchMatmulMatchesMatvecPerToken(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 17L + 5);
        int[] colCounts = type.isQuantized() ? new int[] {type.blockSize, 3 * type.blockSize, 2048} : new int[] {1, 37, 1003};
        for (int cols : colCounts) {
            int rows = cols > 1000 ? 13 : 29; // odd: not a multiple of the row panel
            var w = RandomWeights.matrix(type, rows, cols, rnd);
            Matrix m = Matrix.of(type, rows, cols, w);
            float[][] ref = referenceRows(bt, w, rows, cols);
            for (int n = 1; n <= 16; n++) {
                float[] x = RandomWeights.vector(n * cols, rnd);
                float[] out = new float[n * rows];
                m.matmul(x, n, out);
                assertEachTokenIsItsMatvec(m, ref, x, n, out, type + " cols " + cols);
            }
        }
    }

    /**
     * Every small-batch path through {@link BlockMatrix#matmul(BlockMatrix.SmallBatchPath, float[], int, float[])},
     * whether or not the dispatch picks it by default (the fused kernels are off by default), against each token's
     * matvec: paths a format has no kernel for (they run the scalar reference) are left out.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void everySmallBatchPathMatchesMatvecPerToken(GgmlType type) {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 23L + 3);
        int cols = type.isQuantized() ? 3 * type.blockSize : 1003, rows = 29;
        var w = RandomWeights.matrix(type, rows, cols, rnd);
        BlockMatrix m = new BlockMatrix(bt, rows, cols, w);
        float[][] ref = referenceRows(bt, w, rows, cols);
        for (BlockMatrix.SmallBatchPath path : BlockMatrix.SmallBatchPath.values()) {
            if (path == BlockMatrix.SmallBatchPath.FUSED && !bt.hasDot4Tokens()) continue;
            if (path == BlockMatrix.SmallBatchPath.REGISTER_TILED && !bt.hasDot4x4()) continue;
            for (int n : new int[] {2, 3, 4, 5, 8, 9, 16}) {
                float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
                m.matmul(path, x, n, out);
                assertEachTokenIsItsMatvec(m, ref, x, n, out, type + " " + path);
            }
        }
    }

    /** Each row of W [rows][cols] dequantized by the scalar reference. */
    private static float[][] referenceRows(BlockType bt, java.lang.foreign.MemorySegment w, int rows, int cols) {
        long rowBytes = bt.type().bytesFor(cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = BlockTypeTest.referenceRow(bt, w, rowBytes, r, cols);
        return ref;
    }

    /** out [n][rows], a product of n tokens x [n][cols], equals each token's own matvec within one dot product's rounding. */
    private static void assertEachTokenIsItsMatvec(Matrix m, float[][] ref, float[] x, int n, float[] out, String what) {
        int rows = m.rows(), cols = m.cols();
        for (int t = 0; t < n; t++) {
            float[] mv = new float[rows];
            m.matvec(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), mv);
            for (int r = 0; r < rows; r++) {
                float tol = BlockTypeTest.tolerance(ref[r], x, t * cols);
                assertEquals(mv[r], out[t * rows + r], tol, what + ": token " + t + " of " + n + ", row " + r);
            }
        }
    }

    /**
     * Rows longer than {@link BlockMatrix#LONG_ROW_COLS} (w_down) take their per-token dots in column chunks; batches of
     * up to {@link BlockMatrix#EACH_MAX_TOKENS} tokens run them token by token, 3 tokens a multi-token path. Both
     * against the scalar reference and each token's matvec, with a two-row format (Q8_0) and row-kernel ones.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_K", "Q6_K"})
    void longRowBatchesMatchMatvecPerToken(GgmlType type) throws Exception {
        BlockType bt = BlockType.of(type);
        Random rnd = new Random(type.ordinal() * 31L + 7);
        int rows = 7, cols = BlockMatrix.LONG_ROW_COLS + 256;
        var w = RandomWeights.matrix(type, rows, cols, rnd);
        Matrix m = Matrix.of(type, rows, cols, w);
        float[][] ref = referenceRows(bt, w, rows, cols);
        try (ComputePool pool = new ComputePool(2)) {
            pool.within(() -> {
                for (int n = 1; n <= 3; n++) {
                    float[] x = RandomWeights.vector(n * cols, rnd), out = new float[n * rows];
                    m.matmul(x, n, out);
                    for (int t = 0; t < n; t++) {
                        float[] mv = new float[rows];
                        m.matvec(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), mv);
                        for (int r = 0; r < rows; r++) {
                            double dot = 0;
                            for (int c = 0; c < cols; c++) dot += (double) ref[r][c] * x[t * cols + c];
                            float tol = BlockTypeTest.tolerance(ref[r], x, t * cols);
                            assertEquals(dot, out[t * rows + r], tol, type + ": token " + t + " of " + n + ", row " + r + " against the scalar reference");
                            assertEquals(mv[r], out[t * rows + r], tol, type + ": token " + t + " of " + n + ", row " + r + " against its matvec");
                        }
                    }
                }
            });
        }
    }
}
