package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The one {@link Matrix} implementation: W [rows][cols] stored row-major in any {@link BlockType},
 * each row {@code cols / blockSize} consecutive blocks, used in place (no copy of the weights).
 *
 * <ul>
 * <li>matvec (decode): rows split over the {@link ComputePool}; each row is one fused
 *     {@link BlockType#dot} over its blocks (weights read once, straight from the segment).</li>
 * <li>matmul (prefill, batches): for each tile of {@value #TOKEN_TILE} tokens, each row is
 *     dequantized once into an f32 buffer (cols floats) and multiplied with all tokens of the tile,
 *     four at a time (each buffer load feeds four FMAs). Weight bytes are read n/TOKEN_TILE times
 *     instead of n times, and the token tile (TOKEN_TILE x cols floats) stays in cache.</li>
 * </ul>
 */
final class BlockMatrix implements Matrix {

    /** Tokens multiplied with one dequantized row before moving to the next row. */
    static final int TOKEN_TILE = 16;

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
        ComputePool.shared().parallelForRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) out[r] = block.dot(data, r * rowBytes, x, 0, blocksPerRow);
        });
    }

    public void matmul(float[] x, int n, float[] out) {
        check(x, n, out);
        if (n == 1) {
            matvec(x, out);
            return;
        }
        ComputePool.shared().parallelForRange(rows, (start, end) -> {
            float[] w = new float[cols]; // one dequantized row: [cols]
            for (int t0 = 0; t0 < n; t0 += TOKEN_TILE) {
                int t1 = Math.min(n, t0 + TOKEN_TILE);
                for (int r = start; r < end; r++) {
                    block.dequantize(data, r * rowBytes, w, 0, blocksPerRow);
                    int t = t0;
                    for (; t + 4 <= t1; t += 4) dot4(w, x, t, out, r);
                    for (; t < t1; t++) out[t * rows + r] = VectorMath.dot(w, 0, x, t * cols, cols);
                }
            }
        });
    }

    /** out[t+i][r] = dot(w, x[t+i]) for i < 4: each w vector is loaded once for four tokens. */
    private void dot4(float[] w, float[] x, int t, float[] out, int r) {
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += LANES) {
            FloatVector wv = FloatVector.fromArray(F, w, c);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + c), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + c), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, x2 + c), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, x3 + c), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            s0 += w[c] * x[x0 + c];
            s1 += w[c] * x[x1 + c];
            s2 += w[c] * x[x2 + c];
            s3 += w[c] * x[x3 + c];
        }
        out[t * rows + r] = s0;
        out[(t + 1) * rows + r] = s1;
        out[(t + 2) * rows + r] = s2;
        out[(t + 3) * rows + r] = s3;
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
