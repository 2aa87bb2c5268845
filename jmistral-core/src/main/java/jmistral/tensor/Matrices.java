package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Creates {@link Matrix} implementations. PLACEHOLDER: only plain F32, scalar; replaced by the kernels work. */
final class Matrices {
    private Matrices() {}

    static Matrix create(GgmlType type, int rows, int cols, MemorySegment data) {
        if (type != GgmlType.F32) throw new UnsupportedOperationException("type " + type + " not implemented yet");
        return new Matrix() {
            private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
            public GgmlType type() { return type; }
            public int rows() { return rows; }
            public int cols() { return cols; }
            public void matvec(float[] x, float[] out) { matmul(x, 1, out); }
            public void matmul(float[] x, int n, float[] out) {
                for (int t = 0; t < n; t++)
                    for (int r = 0; r < rows; r++) {
                        float s = 0;
                        for (int c = 0; c < cols; c++) s += data.getAtIndex(F, (long) r * cols + c) * x[t * cols + c];
                        out[t * rows + r] = s;
                    }
            }
            public void dequantizeRow(int row, float[] dst, int offset) {
                for (int c = 0; c < cols; c++) dst[offset + c] = data.getAtIndex(F, (long) row * cols + c);
            }
        };
    }
}
