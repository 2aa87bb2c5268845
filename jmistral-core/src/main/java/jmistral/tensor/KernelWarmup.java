package jmistral.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model's matrix kernels once on a few of their own rows, so that the first request does not
 * pay for the JIT: until C2 has compiled a Vector API kernel it runs interpreted or in C1 code that
 * boxes every vector, 20-100x slower. Measured on the 2-layer full-width Q4_K_M model (2 cores): a
 * cold 100-token prefill took 5.6 s and its first 4 decode steps 1.8 s, against 1.5 s and 0.4 s warm.
 *
 * <p>Per weight format, one of the model's matrices, cut to its first {@value #ROWS} rows (the same
 * mapped memory, so the kernels see the segment class they will see later: a kernel that has seen
 * heap-allocated or native segments first runs slower on mapped ones), goes through every path the
 * forward pass takes: matmul of one more than a vector's lanes (prefill), matvec (decode), matmul of 2
 * tokens (tiny batches), of 4 and of 8 (batched decode); the matrices in place first (see {@link #run}).
 * A matrix with a copy in row tiles ({@link RowTiledMatrix}) runs them too: its matvec and small products
 * are kernels of their own.
 */
public final class KernelWarmup {
    private KernelWarmup() {}

    /** Rows of each matrix used: small enough to cost nothing once compiled. */
    static final int ROWS = 64;
    /** matvec calls: ROWS x this many row kernels, past C2's compile thresholds. */
    static final int MATVECS = 400;
    /** calls of each matmul path. */
    static final int MATMULS = 40;

    /**
     * Warms the kernels of every format among {@code matrices}, with the first matrix of each format and kind.
     * Returns the matrices it ran (each cut to its first rows), in the order first seen.
     */
    public static List<Matrix> run(Iterable<Matrix> matrices) {
        // one per format and kind of matrix: a RowTiledMatrix's decode products are kernels of their own
        Map<String, Matrix> onePerKind = new LinkedHashMap<>();
        for (Matrix m : matrices) onePerKind.putIfAbsent(m.type() + " " + m.getClass().getName(), m);
        // the block kernels (the matrices in place, and each matrix's prefill path) are compiled before the row-tile
        // kernels: in one JVM, the row-tile kernels run first left some block kernels compiled after them (Q3_K, Q5_K
        // and Q6_K dots, the Q6_K dequantize) boxing their vectors in half the runs, run after them none
        // (RowTileAllocationTest, 2026-12-07); so the matrices in place first, then those with a copy
        List<Matrix> ordered = new ArrayList<>(onePerKind.values());
        ordered.sort(java.util.Comparator.comparing(m -> m.copiedBytes() > 0));
        List<Matrix> used = new ArrayList<>();
        for (Matrix m : ordered) {
            Matrix rows = m.firstRows(Math.min(ROWS, m.rows()));
            warm(rows);
            used.add(rows);
        }
        return used;
    }

    private static void warm(Matrix m) {
        int cols = m.cols(), wide = VectorLanes.LANES + 1;
        float[] x = new float[wide * cols];                   // [wide][cols], small values
        for (int i = 0; i < x.length; i++) x[i] = ((i * 7919) % 201 - 100) * 1e-3f;
        float[] out = new float[wide * m.rows()];
        for (int i = 0; i < MATMULS; i++) m.matmul(x, wide, out); // prefill: the matrix in place, first (see run)
        for (int i = 0; i < MATVECS; i++) m.matvec(x, out);
        for (int i = 0; i < MATMULS; i++) {
            m.matmul(x, 2, out);
            m.matmul(x, 4, out);
            m.matmul(x, Math.min(8, VectorLanes.LANES), out);
        }
    }
}
