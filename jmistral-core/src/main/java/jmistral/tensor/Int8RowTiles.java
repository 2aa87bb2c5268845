package jmistral.tensor;

import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K weights ({@code d * scales[g] * (q - 32)}: an f16, an int8 per 16 weights, 6-bit values) repacked, exactly, with
 * the rows in the vector lanes, for the matrices that keep a copy of their own ({@link RowTiledMatrix}).
 *
 * <pre>
 * strip    = 16 consecutive rows, all columns, one after the other (a strip is one stream):
 *            tiles [cols / 16]           one per 16 columns, {@value #TILE_BYTES} bytes each
 *            d     [cols / 256][16 rows] f32: each row's Q6_K d of those 256 columns
 * tile     = int8 sc[16 rows]            each row's Q6_K scale of these 16 columns
 *            int8 q[16 columns][16 rows] q - 32, column-major: column k's 16 rows are 16 consecutive bytes
 * weight (row i, column 16 t + k of the strip) = (d[t / 16][i] * sc[i]) * q[k][i] of tile t: the Q6_K reference's float
 * </pre>
 * 276 bytes per 256 weights (Q6_K's own: 210).
 *
 * <p>Why rows in the lanes: a row-major kernel multiplies 16 weights of one row by 16 values of x and must sum the lanes
 * at the end of every row, scale every 16 weights by a broadcast scalar, and (for several tokens) hold a vector of x
 * per token. Here a column's 16 weights (16 rows) are one sign-extending load and one conversion, and each token needs
 * only its x[k] broadcast: one FMA per token per 16 weights, the rows' sums land in the lanes (no reduction), and the
 * scales are one vector per tile. 8 tokens: 47.6-50.8 ms against 97-108 for the Q6_K rows in place (panels dequantized
 * to f32, 4x4 passes) in a throwaway harness in one JVM (2 threads, 32768 x 5120 scaled to the output projection's
 * 131072 rows, 2026-12-07).
 *
 * <p>Why int8 scales and a d per 256 columns rather than one f32 scale per row and tile (320 bytes per 256 weights, as
 * the row-major groups this replaced): fewer bytes per token. Tried on the way ({@code bench --profile}, 2-layer Q4_K_M
 * model, alternated with the row-major groups, 2026-12-07), one token's output projection: f32 scales 26-30 ms; the
 * four strips of a unit interleaved tile by tile (one stream instead of four) 38-41; two strips per call 30-31; the 16
 * columns written out in one loop over tiles (C2 kept a bounds and a scope check per load) 155-185; for what
 * {@link #rows64x1} reads now, see there.
 *
 * <p>Each kernel adds into out (its rows x tokens accumulators start from what is there), so a long row can be taken
 * in column chunks of whole 256-column blocks; each has the scalar reference ({@link RowTileFormat#dotReference})
 * beside it in {@code RowTileFormatTest}.
 */
final class Int8RowTiles {
    private Int8RowTiles() {}

    /** Rows per strip (the lanes of a 512-bit f32 vector; a 256- or 128-bit vector takes them in parts). */
    static final int ROWS = RowTileFormat.STRIP_ROWS;
    /** Columns per tile. */
    static final int COLS = 16;
    /** Bytes per tile: 16 int8 scales, then 16 x 16 int8. */
    static final int TILE_BYTES = ROWS + ROWS * COLS;
    /** Bytes of a strip's d per 256 columns: 16 f32. */
    static final int D_BYTES = 4 * ROWS;
    /** Where a tile's int8 values start. */
    private static final int Q = ROWS;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** Bytes of one strip of {@code cols} columns (a multiple of 256). */
    static long stripBytes(int cols) {
        return (long) (cols / COLS) * TILE_BYTES + (long) (cols / 256) * D_BYTES;
    }

    /** Where a strip of {@code stripBytes} bytes keeps its d: after its tiles (cols / 16 * 272 = stripBytes * 272 / 276). */
    private static long dOffset(long stripBytes) {
        return stripBytes / (16 * TILE_BYTES + D_BYTES) * (16L * TILE_BYTES);
    }

    /**
     * Repacks rows [r0, r0 + 16) of a Q6_K matrix ({@code rowBytes} per row at src[0 ..], {@code rows} rows: rows past
     * it become zero weights) into the strip at dst[0 ..].
     */
    static void repackQ6_K(MemorySegment src, long rowBytes, int rows, int r0, int cols, MemorySegment dst) {
        int blocks = cols / 256;
        long q6Bytes = GgmlType.Q6_K.bytesFor(256), dAt = dOffset(stripBytes(cols));
        byte[] q = new byte[256];
        byte[] tiles = new byte[16 * TILE_BYTES]; // the 16 tiles of one Q6_K block's columns
        float[] d = new float[ROWS];
        for (int b = 0; b < blocks; b++) {
            java.util.Arrays.fill(tiles, (byte) 0);
            java.util.Arrays.fill(d, 0f);
            for (int i = 0; i < ROWS && r0 + i < rows; i++) {
                long at = (r0 + i) * rowBytes + b * q6Bytes;
                Q6_KBlock.values(src, at, q);
                d[i] = Q6_KBlock.d(src, at);
                for (int g = 0; g < 16; g++) {
                    int tile = g * TILE_BYTES;
                    tiles[tile + i] = Q6_KBlock.scale(src, at, g);
                    for (int k = 0; k < COLS; k++) tiles[tile + Q + ROWS * k + i] = q[16 * g + k];
                }
            }
            MemorySegment.copy(tiles, 0, dst, ValueLayout.JAVA_BYTE, (long) b * tiles.length, tiles.length);
            MemorySegment.copy(d, 0, dst, F32_LE, dAt + (long) b * D_BYTES, ROWS);
        }
    }

    /** The weight at row i (< 16), column c of the strip at strip[0 ..] ({@code cols} columns). */
    static float weight(MemorySegment strip, int cols, int i, int c) {
        long tile = (long) (c / COLS) * TILE_BYTES;
        float d = strip.get(F32_LE, dOffset(stripBytes(cols)) + (long) (c / 256) * D_BYTES + 4L * i);
        return d * strip.get(ValueLayout.JAVA_BYTE, tile + i) * strip.get(ValueLayout.JAVA_BYTE, tile + Q + ROWS * (c % COLS) + i);
    }

    /** Accumulator of token j at out[at ..]: what is there, or zero for a token past {@code tokens} (not in out). */
    private static FloatVector acc(float[] out, int at, int j, int tokens) {
        return j < tokens ? FloatVector.fromArray(F, out, at) : FloatVector.zero(F);
    }

    /**
     * The 16 int8 values at {@code at} (column k of a tile, at its start + {@code Q + 16 k}) as floats (part p of a narrower
     * vector). Under 35 bytes of bytecode (C2's MaxInlineSize), as every helper here, so that C2 inlines it at any call
     * site however cold its profile: a helper left a call boxes every vector it returns.
     */
    private static FloatVector column(MemorySegment strip, long at, int p) {
        return (FloatVector) ByteVector.fromMemorySegment(B16, strip, at, LE).convertShape(VectorOperators.B2F, F, p);
    }

    /** The 16 rows' int8 scales of the tile at {@code at}, as floats (part p). */
    private static FloatVector intScales(MemorySegment strip, long at, int p) {
        return (FloatVector) ByteVector.fromMemorySegment(B16, strip, at, LE).convertShape(VectorOperators.B2F, F, p);
    }

    /** The 16 rows' d at {@code d} (part p). */
    private static FloatVector d(MemorySegment strip, long d, int p) {
        return FloatVector.fromMemorySegment(F, strip, d + 4L * F.length() * p, LE);
    }

    /** The 16 rows' scales d * sc of the tile at {@code at}, its block's d at {@code d} (part p): exact in f32. */
    private static FloatVector scales(MemorySegment strip, long at, long d, int p) {
        return intScales(strip, at, p).mul(d(strip, d, p));
    }

    /**
     * One token, four strips (64 rows), each with rows at an offset of its own in out: out[o0 + i] += row i of strip s0
     * times x[xOff ..], and so on, over tiles [t0, t1) (whole 256-column blocks). Per column: x[k] broadcast once, four
     * loads and FMAs; each strip sums a tile's columns unscaled, adds them times the tile's int8 scales into a block sum,
     * and each 16 tiles the block sum times d. Each strip is a view of its own from offset 0 (made once), so that C2
     * checks its bounds once per loop, not per load.
     *
     * <p>Why one accumulator per strip and column by column: with two (even and odd columns, the inner loop taking two
     * columns a step) the method grew past what C2 inlines, and one helper per tile stayed a call returning a boxed
     * vector, with 18 spills around it (disassembled: about 220 instructions per tile besides the inner loop); the
     * output projection read 23-30 ms. Column by column, four chains of FMAs are enough (the loop is bound by its loads
     * and conversions): 87 instructions per 16 FMAs, no call, output 20.2-27.3 ms against 24.1-30.5 for the row-major
     * groups before (three alternated pairs, 15:31-15:33).
     */
    static void rows64x1(MemorySegment s0, MemorySegment s1, MemorySegment s2, MemorySegment s3, float[] x, int xOff, int t0, int t1, float[] out,
                         int o0, int o1, int o2, int o3) {
        long dAt = dOffset(s0.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int pp = p * F.length();
            FloatVector a0 = FloatVector.fromArray(F, out, o0 + pp), a1 = FloatVector.fromArray(F, out, o1 + pp);
            FloatVector a2 = FloatVector.fromArray(F, out, o2 + pp), a3 = FloatVector.fromArray(F, out, o3 + pp);
            FloatVector b0 = FloatVector.zero(F), b1 = b0, b2 = b0, b3 = b0;
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES;
                int xk = xOff + COLS * t;
                FloatVector e0 = FloatVector.zero(F), e1 = e0, e2 = e0, e3 = e0;
                for (int k = 0; k < COLS; k++) {
                    FloatVector xk0 = FloatVector.broadcast(F, x[xk + k]);
                    e0 = column(s0, at + Q + ROWS * k, p).fma(xk0, e0);
                    e1 = column(s1, at + Q + ROWS * k, p).fma(xk0, e1);
                    e2 = column(s2, at + Q + ROWS * k, p).fma(xk0, e2);
                    e3 = column(s3, at + Q + ROWS * k, p).fma(xk0, e3);
                }
                b0 = e0.fma(intScales(s0, at, p), b0);
                b1 = e1.fma(intScales(s1, at, p), b1);
                b2 = e2.fma(intScales(s2, at, p), b2);
                b3 = e3.fma(intScales(s3, at, p), b3);
                if ((t & 15) == 15) { // the last tile of a 256-column block: its sums times d
                    long d = dAt + (t >> 4) * (long) D_BYTES;
                    a0 = b0.fma(d(s0, d, p), a0);
                    a1 = b1.fma(d(s1, d, p), a1);
                    a2 = b2.fma(d(s2, d, p), a2);
                    a3 = b3.fma(d(s3, d, p), a3);
                    b0 = FloatVector.zero(F);
                    b1 = b0;
                    b2 = b0;
                    b3 = b0;
                }
            }
            a0.intoArray(out, o0 + pp);
            a1.intoArray(out, o1 + pp);
            a2.intoArray(out, o2 + pp);
            a3.intoArray(out, o3 + pp);
        }
    }

    /**
     * Eight tokens, two strips (32 rows): out[j * stride + o + 16 s + i] += row i of strip s times token j's x, over
     * tiles [t0, t1). xt holds the tokens' x transposed, [cols][8] at xt[xtOff ..] (token j of column c at 8 c + j; zero
     * for tokens past the batch). Per column: the two strips' weights decoded and scaled once, then 8 broadcasts and 16
     * FMAs into 16 accumulators. Only the first {@code tokens} (1 to 8) are read from and written to out: a last pass of
     * fewer tokens runs zero x for the rest.
     */
    static void rows32x8(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
        long dAt = dOffset(s0.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int op = o + p * F.length(), oq = op + 16;
            FloatVector a0 = acc(out, op, 0, tokens), b0 = acc(out, oq, 0, tokens);
            FloatVector a1 = acc(out, op + stride, 1, tokens), b1 = acc(out, oq + stride, 1, tokens);
            FloatVector a2 = acc(out, op + 2 * stride, 2, tokens), b2 = acc(out, oq + 2 * stride, 2, tokens);
            FloatVector a3 = acc(out, op + 3 * stride, 3, tokens), b3 = acc(out, oq + 3 * stride, 3, tokens);
            FloatVector a4 = acc(out, op + 4 * stride, 4, tokens), b4 = acc(out, oq + 4 * stride, 4, tokens);
            FloatVector a5 = acc(out, op + 5 * stride, 5, tokens), b5 = acc(out, oq + 5 * stride, 5, tokens);
            FloatVector a6 = acc(out, op + 6 * stride, 6, tokens), b6 = acc(out, oq + 6 * stride, 6, tokens);
            FloatVector a7 = acc(out, op + 7 * stride, 7, tokens), b7 = acc(out, oq + 7 * stride, 7, tokens);
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES, d = dAt + (t >> 4) * (long) D_BYTES;
                FloatVector c0 = scales(s0, at, d, p), c1 = scales(s1, at, d, p);
                for (int k = 0; k < COLS; k++) {
                    int xk = xtOff + 8 * (COLS * t + k);
                    FloatVector w0 = column(s0, at + Q + ROWS * k, p).mul(c0), w1 = column(s1, at + Q + ROWS * k, p).mul(c1);
                    FloatVector xb = FloatVector.broadcast(F, xt[xk]);
                    a0 = w0.fma(xb, a0); b0 = w1.fma(xb, b0);
                    xb = FloatVector.broadcast(F, xt[xk + 1]);
                    a1 = w0.fma(xb, a1); b1 = w1.fma(xb, b1);
                    xb = FloatVector.broadcast(F, xt[xk + 2]);
                    a2 = w0.fma(xb, a2); b2 = w1.fma(xb, b2);
                    xb = FloatVector.broadcast(F, xt[xk + 3]);
                    a3 = w0.fma(xb, a3); b3 = w1.fma(xb, b3);
                    xb = FloatVector.broadcast(F, xt[xk + 4]);
                    a4 = w0.fma(xb, a4); b4 = w1.fma(xb, b4);
                    xb = FloatVector.broadcast(F, xt[xk + 5]);
                    a5 = w0.fma(xb, a5); b5 = w1.fma(xb, b5);
                    xb = FloatVector.broadcast(F, xt[xk + 6]);
                    a6 = w0.fma(xb, a6); b6 = w1.fma(xb, b6);
                    xb = FloatVector.broadcast(F, xt[xk + 7]);
                    a7 = w0.fma(xb, a7); b7 = w1.fma(xb, b7);
                }
            }
            // stored here, not through a helper: past C2's node budget for inlining a helper stays a call that boxes its vector
            if (0 < tokens) { a0.intoArray(out, op); b0.intoArray(out, oq); }
            if (1 < tokens) { a1.intoArray(out, op + stride); b1.intoArray(out, oq + stride); }
            if (2 < tokens) { a2.intoArray(out, op + 2 * stride); b2.intoArray(out, oq + 2 * stride); }
            if (3 < tokens) { a3.intoArray(out, op + 3 * stride); b3.intoArray(out, oq + 3 * stride); }
            if (4 < tokens) { a4.intoArray(out, op + 4 * stride); b4.intoArray(out, oq + 4 * stride); }
            if (5 < tokens) { a5.intoArray(out, op + 5 * stride); b5.intoArray(out, oq + 5 * stride); }
            if (6 < tokens) { a6.intoArray(out, op + 6 * stride); b6.intoArray(out, oq + 6 * stride); }
            if (7 < tokens) { a7.intoArray(out, op + 7 * stride); b7.intoArray(out, oq + 7 * stride); }
        }
    }

    /** {@link #rows32x8} for four tokens: xt [cols][4], 8 accumulators. */
    static void rows32x4(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
        long dAt = dOffset(s0.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int op = o + p * F.length(), oq = op + 16;
            FloatVector a0 = acc(out, op, 0, tokens), b0 = acc(out, oq, 0, tokens);
            FloatVector a1 = acc(out, op + stride, 1, tokens), b1 = acc(out, oq + stride, 1, tokens);
            FloatVector a2 = acc(out, op + 2 * stride, 2, tokens), b2 = acc(out, oq + 2 * stride, 2, tokens);
            FloatVector a3 = acc(out, op + 3 * stride, 3, tokens), b3 = acc(out, oq + 3 * stride, 3, tokens);
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES, d = dAt + (t >> 4) * (long) D_BYTES;
                FloatVector c0 = scales(s0, at, d, p), c1 = scales(s1, at, d, p);
                for (int k = 0; k < COLS; k++) {
                    int xk = xtOff + 4 * (COLS * t + k);
                    FloatVector w0 = column(s0, at + Q + ROWS * k, p).mul(c0), w1 = column(s1, at + Q + ROWS * k, p).mul(c1);
                    FloatVector xb = FloatVector.broadcast(F, xt[xk]);
                    a0 = w0.fma(xb, a0); b0 = w1.fma(xb, b0);
                    xb = FloatVector.broadcast(F, xt[xk + 1]);
                    a1 = w0.fma(xb, a1); b1 = w1.fma(xb, b1);
                    xb = FloatVector.broadcast(F, xt[xk + 2]);
                    a2 = w0.fma(xb, a2); b2 = w1.fma(xb, b2);
                    xb = FloatVector.broadcast(F, xt[xk + 3]);
                    a3 = w0.fma(xb, a3); b3 = w1.fma(xb, b3);
                }
            }
            // stored here, not through a helper: past C2's node budget for inlining a helper stays a call that boxes its vector
            if (0 < tokens) { a0.intoArray(out, op); b0.intoArray(out, oq); }
            if (1 < tokens) { a1.intoArray(out, op + stride); b1.intoArray(out, oq + stride); }
            if (2 < tokens) { a2.intoArray(out, op + 2 * stride); b2.intoArray(out, oq + 2 * stride); }
            if (3 < tokens) { a3.intoArray(out, op + 3 * stride); b3.intoArray(out, oq + 3 * stride); }
        }
    }

    /**
     * Tiles [t0, t1) of the strip as f32, columns major: column c (counted from tile t0's first) of row i to
     * w[wAt + c * wStride + i] (a panel of the prefill GEMM over the tiles, {@link StripGemm}). Per column one load, a conversion and
     * a multiply by the tile's scales d * sc: each weight is {@link #weight}'s float.
     */
    static void dequantize(MemorySegment strip, int t0, int t1, float[] w, int wAt, int wStride) {
        long dAt = dOffset(strip.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int pp = wAt + p * F.length();
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES;
                FloatVector scale = scales(strip, at, dAt + (t >> 4) * (long) D_BYTES, p);
                int c = pp + COLS * (t - t0) * wStride;
                for (int k = 0; k < COLS; k++) column(strip, at + Q + ROWS * k, p).mul(scale).intoArray(w, c + k * wStride);
            }
        }
    }
}
