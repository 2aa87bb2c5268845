package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The layouts a {@link RowTiledMatrix} keeps its copy in, one per repacked format: strips of 16 rows with the rows in
 * the vector lanes, tiles of {@link #tileCols} columns, and the same three kernels over them (one token on four
 * strips, four or eight tokens on two).
 */
enum RowTileFormat {
    /** Q6_K as int8 values, an int8 scale per 16 columns and an f32 d per 256 ({@link Int8RowTiles}). */
    Q6_K_INT8(GgmlType.Q6_K, Int8RowTiles.COLS) {
        long stripBytes(int cols) { return Int8RowTiles.stripBytes(cols); }

        void repack(MemorySegment src, long rowBytes, int rows, int r0, int cols, MemorySegment dst) {
            Int8RowTiles.repackQ6_K(src, rowBytes, rows, r0, cols, dst);
        }

        float weight(MemorySegment strip, int cols, int i, int c) { return Int8RowTiles.weight(strip, cols, i, c); }

        void rows64x1(MemorySegment s0, MemorySegment s1, MemorySegment s2, MemorySegment s3, float[] x, int xOff, float[] sums, int sumsOff,
                      int t0, int t1, float[] out, int o0, int o1, int o2, int o3) {
            Int8RowTiles.rows64x1(s0, s1, s2, s3, x, xOff, t0, t1, out, o0, o1, o2, o3);
        }

        void rows32x8(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
            Int8RowTiles.rows32x8(s0, s1, xt, xtOff, t0, t1, out, o, stride, tokens);
        }

        void rows32x4(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
            Int8RowTiles.rows32x4(s0, s1, xt, xtOff, t0, t1, out, o, stride, tokens);
        }

        void dequantize(MemorySegment strip, int t0, int t1, float[] w, int wAt, int wStride) {
            Int8RowTiles.dequantize(strip, t0, t1, w, wAt, wStride);
        }
    },

    /** Q4_K as pairs of nibbles, an int8 scale and min per 32 columns, an f32 d and dmin per 256 ({@link Q4_KRowTiles}). */
    Q4_K_NIBBLES(GgmlType.Q4_K, Q4_KRowTiles.COLS) {
        long stripBytes(int cols) { return Q4_KRowTiles.stripBytes(cols); }

        void repack(MemorySegment src, long rowBytes, int rows, int r0, int cols, MemorySegment dst) {
            Q4_KRowTiles.repackQ4_K(src, rowBytes, rows, r0, cols, dst);
        }

        float weight(MemorySegment strip, int cols, int i, int c) { return Q4_KRowTiles.weight(strip, cols, i, c); }

        @Override
        boolean needsSums() { return true; }

        void rows64x1(MemorySegment s0, MemorySegment s1, MemorySegment s2, MemorySegment s3, float[] x, int xOff, float[] sums, int sumsOff,
                      int t0, int t1, float[] out, int o0, int o1, int o2, int o3) {
            Q4_KRowTiles.rows32x1(s0, s1, x, xOff, sums, sumsOff, t0, t1, out, o0, o1);
            Q4_KRowTiles.rows32x1(s2, s3, x, xOff, sums, sumsOff, t0, t1, out, o2, o3);
        }

        void rows32x8(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
            Q4_KRowTiles.rows32x8(s0, s1, xt, xtOff, t0, t1, out, o, stride, tokens);
        }

        void rows32x4(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
            Q4_KRowTiles.rows32x4(s0, s1, xt, xtOff, t0, t1, out, o, stride, tokens);
        }

        void dequantize(MemorySegment strip, int t0, int t1, float[] w, int wAt, int wStride) {
            Q4_KRowTiles.dequantize(strip, t0, t1, w, wAt, wStride);
        }
    };

    /** Rows per strip in every layout: the lanes of a 512-bit f32 vector (a 256- or 128-bit vector takes them in parts). */
    static final int STRIP_ROWS = 16;

    /** The format repacked. */
    final GgmlType type;
    /** Columns per tile: the kernels' t0 and t1 count tiles. */
    final int tileCols;

    RowTileFormat(GgmlType type, int tileCols) {
        this.type = type;
        this.tileCols = tileCols;
    }

    /** The layout of a format's copy, or null for a format that has none. */
    static RowTileFormat of(GgmlType type) {
        for (RowTileFormat f : values()) if (f.type == type) return f;
        return null;
    }

    /** Bytes of one strip (16 rows) of {@code cols} columns, a multiple of 256. */
    abstract long stripBytes(int cols);

    /**
     * Repacks rows [r0, r0 + 16) of the matrix in place ({@code rowBytes} per row at src[0 ..], {@code rows} rows: rows
     * past it become zero weights) into the strip at dst[0 ..].
     */
    abstract void repack(MemorySegment src, long rowBytes, int rows, int r0, int cols, MemorySegment dst);

    /** The weight at row i (< 16), column c of the strip at strip[0 ..] ({@code cols} columns), as the format's reference dequantizes it. */
    abstract float weight(MemorySegment strip, int cols, int i, int c);

    /** The scalar reference beside the kernels: row i of the strip times x[xOff ..] over {@code cols} columns, in double. */
    double dotReference(MemorySegment strip, int i, float[] x, int xOff, int cols) {
        double sum = 0;
        for (int c = 0; c < cols; c++) sum += (double) weight(strip, cols, i, c) * x[xOff + c];
        return sum;
    }

    /** Whether {@link #rows64x1} reads x's sums over each tile's columns ({@link XSums}, group {@link #tileCols}). */
    boolean needsSums() {
        return false;
    }

    /**
     * One token, four strips: out[o0 + i] += row i of strip s0 times x[xOff ..] (s1 at o1, ...), over tiles [t0, t1),
     * whole 256-column blocks; sums[sumsOff + t] is x's sum over tile t where {@link #needsSums}.
     */
    abstract void rows64x1(MemorySegment s0, MemorySegment s1, MemorySegment s2, MemorySegment s3, float[] x, int xOff, float[] sums, int sumsOff,
                           int t0, int t1, float[] out, int o0, int o1, int o2, int o3);

    /**
     * Eight tokens, two strips: out[j * stride + o + 16 s + i] += row i of strip s times token j's x, xt [cols][8] at
     * xt[xtOff ..], the first {@code tokens} read and written.
     */
    abstract void rows32x8(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens);

    /** {@link #rows32x8} for four tokens, xt [cols][4]. */
    abstract void rows32x4(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens);

    /**
     * Tiles [t0, t1) of a strip as f32 weights, columns major: column c (from tile t0's first) of row i (< 16) to
     * w[wAt + c * wStride + i]. What the prefill GEMM over the tiles multiplies ({@link StripGemm}: w [columns][32] per strip pair).
     */
    abstract void dequantize(MemorySegment strip, int t0, int t1, float[] w, int wAt, int wStride);
}
