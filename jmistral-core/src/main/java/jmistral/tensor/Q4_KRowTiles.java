package jmistral.tensor;

import static jdk.incubator.vector.VectorOperators.AND;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.I;
import static jmistral.tensor.VectorLanes.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Q4_K weights ({@code d * sc[j] * q - dmin * m[j]}: an f16 d and dmin per 256, a 6-bit scale and min per 32 weights,
 * 4-bit values) repacked, exactly, with the rows in the vector lanes, for the matrices that keep a copy of their own
 * ({@link RowTiledMatrix}); the Q6_K counterpart is {@link Int8RowTiles}, whose comment says why rows in the lanes.
 *
 * <pre>
 * strip    = 16 consecutive rows, all columns, one after the other (a strip is one stream):
 *            tiles [cols / 32]           one per Q4_K sub-block of 32 columns, {@value #TILE_BYTES} bytes each
 *            d     [cols / 256][16 rows] f32, then dmin [16 rows] f32: each row's Q4_K d and dmin of those 256 columns
 * tile     = int8 sc[16 rows], int8 m[16 rows]   each row's 6-bit scale and min of these 32 columns
 *            u8 q[16 column pairs][16 rows]      byte 16 k + i: column k of row i (low nibble), column k + 16 (high)
 * weight (row i, column 32 t + c of the strip) = (d[i] * sc[i]) * q - (dmin[i] * m[i]): the Q4_K reference's float
 * </pre>
 * 152 bytes per 256 weights (Q4_K's own: 144).
 *
 * <p>A tile's 16 bytes of a column pair are one zero-extending load; a mask and a shift give the two columns' 16 rows.
 * One token takes the min term from x's sums over each tile (one FMA per 32 columns, as the row-major kernel does,
 * {@link XSums}), and scales once per tile; several tokens decode each column's weights once, scaled and less the min
 * ({@code q * (d sc) - dmin m}, one FMA), then one FMA per token.
 *
 * <p>Each kernel adds into out (its rows x tokens accumulators start from what is there), so a long row can be taken
 * in column chunks of whole 256-column blocks (8 tiles); each has the scalar reference ({@link RowTileFormat#dotReference})
 * beside it in {@code RowTileFormatTest}.
 */
final class Q4_KRowTiles {
    private Q4_KRowTiles() {}

    /** Rows per strip (the lanes of a 512-bit f32 vector; a 256- or 128-bit vector takes them in parts). */
    static final int ROWS = RowTileFormat.STRIP_ROWS;
    /** Columns per tile: one Q4_K sub-block. */
    static final int COLS = 32;
    /** Tiles per 256-column block (one d and dmin per row). */
    static final int TILES_PER_BLOCK = 256 / COLS;
    /** Where a tile's mins start (its scales at 0). */
    private static final int M = ROWS;
    /** Where a tile's nibbles start. */
    private static final int Q = 2 * ROWS;
    /** Bytes per tile: 16 scales, 16 mins, 16 x 16 bytes of two nibbles. */
    static final int TILE_BYTES = Q + ROWS * COLS / 2;
    /** Bytes of a strip's d and dmin per 256 columns: 2 x 16 f32. */
    static final int D_BYTES = 2 * 4 * ROWS;
    /** Where dmin starts in a block's {@link #D_BYTES}. */
    private static final int DMIN = 4 * ROWS;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** Bytes of one strip of {@code cols} columns (a multiple of 256). */
    static long stripBytes(int cols) {
        return (long) (cols / COLS) * TILE_BYTES + (long) (cols / 256) * D_BYTES;
    }

    /** Where a strip of {@code stripBytes} bytes keeps its d and dmin: after its tiles. */
    private static long dOffset(long stripBytes) {
        return stripBytes / (TILES_PER_BLOCK * TILE_BYTES + D_BYTES) * ((long) TILES_PER_BLOCK * TILE_BYTES);
    }

    /**
     * Repacks rows [r0, r0 + 16) of a Q4_K matrix ({@code rowBytes} per row at src[0 ..], {@code rows} rows: rows past
     * it become zero weights) into the strip at dst[0 ..].
     */
    static void repackQ4_K(MemorySegment src, long rowBytes, int rows, int r0, int cols, MemorySegment dst) {
        int blocks = cols / 256;
        long blockBytes = GgmlType.Q4_K.bytesFor(256), dAt = dOffset(stripBytes(cols));
        int[] q = new int[256];
        byte[] tiles = new byte[TILES_PER_BLOCK * TILE_BYTES]; // the 8 tiles of one Q4_K block's columns
        float[] d = new float[2 * ROWS]; // d [16 rows], dmin [16 rows]
        for (int b = 0; b < blocks; b++) {
            java.util.Arrays.fill(tiles, (byte) 0);
            java.util.Arrays.fill(d, 0f);
            for (int i = 0; i < ROWS && r0 + i < rows; i++) {
                long at = (r0 + i) * rowBytes + b * blockBytes;
                d[i] = BlockBytes.half(src, at);
                d[ROWS + i] = BlockBytes.half(src, at + 2);
                values(src, at, q);
                for (int j = 0; j < TILES_PER_BLOCK; j++) {
                    int tile = j * TILE_BYTES, sm = BlockBytes.kScaleMin(src, at + KScaleMinBlocks.SCALES, j);
                    tiles[tile + i] = (byte) (sm & 0xFF);
                    tiles[tile + M + i] = (byte) (sm >> 8);
                    for (int k = 0; k < COLS / 2; k++) tiles[tile + Q + ROWS * k + i] = (byte) (q[COLS * j + k] | q[COLS * j + k + 16] << 4);
                }
            }
            MemorySegment.copy(tiles, 0, dst, ValueLayout.JAVA_BYTE, (long) b * tiles.length, tiles.length);
            MemorySegment.copy(d, 0, dst, F32_LE, dAt + (long) b * D_BYTES, 2 * ROWS);
        }
    }

    /** The 256 4-bit values of the Q4_K block at {@code at}, in column order (chunk n's low nibbles, then its high ones). */
    private static void values(MemorySegment src, long at, int[] q) {
        long qs = at + KScaleMinBlocks.Q4_K.qsOff();
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                int v = BlockBytes.u8(src, qs + 32 * n + l);
                q[64 * n + l] = v & 15;
                q[64 * n + 32 + l] = v >> 4;
            }
        }
    }

    /** The weight at row i (< 16), column c of the strip at strip[0 ..] ({@code cols} columns). */
    static float weight(MemorySegment strip, int cols, int i, int c) {
        long tile = (long) (c / COLS) * TILE_BYTES, dAt = dOffset(stripBytes(cols)) + (long) (c / 256) * D_BYTES;
        float d = strip.get(F32_LE, dAt + 4L * i), dmin = strip.get(F32_LE, dAt + DMIN + 4L * i);
        int sc = strip.get(ValueLayout.JAVA_BYTE, tile + i), m = strip.get(ValueLayout.JAVA_BYTE, tile + M + i);
        int pair = strip.get(ValueLayout.JAVA_BYTE, tile + Q + ROWS * (c % 16) + i) & 0xFF;
        int q = c % COLS < 16 ? pair & 15 : pair >> 4;
        return d * sc * q - dmin * m;
    }

    /**
     * One token, two strips (32 rows), each with rows at an offset of its own in out: out[o0 + i] += row i of strip s0
     * times x[xOff ..], out[o1 + i] for s1, over tiles [t0, t1) (whole 256-column blocks); sums[sumsOff + t] = the sum
     * of x over tile t's 32 columns. Per column pair (k, k + 16): x[k] and x[k + 16] broadcast, per strip one
     * zero-extending load, a mask (low nibbles) and a shift (high ones), two conversions and two FMAs into two
     * accumulators (four chains); per tile, their sum times the tile's int8 scales into a block sum, the tile's mins
     * times its x sum into a block min sum; per 256 columns, d times the one less dmin times the other. Two strips, not
     * four as the Q6_K kernel: with four, C2 passed its node budget for inlining and boxed the vectors of the tile's
     * scales (15.7 MB allocated per 8192 x 5120 product).
     */
    static void rows32x1(MemorySegment s0, MemorySegment s1, float[] x, int xOff, float[] sums, int sumsOff, int t0, int t1, float[] out, int o0, int o1) {
        long dAt = dOffset(s0.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int pp = p * F.length();
            FloatVector a0 = FloatVector.fromArray(F, out, o0 + pp), a1 = FloatVector.fromArray(F, out, o1 + pp);
            FloatVector b0 = FloatVector.zero(F), b1 = b0; // block sums of q x sc
            FloatVector m0 = b0, m1 = b0; // block sums of m x (x's tile sum)
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES;
                int xk = xOff + COLS * t;
                FloatVector e0 = FloatVector.zero(F), e1 = e0, f0 = e0, f1 = e0;
                for (int k = 0; k < COLS / 2; k++) {
                    FloatVector lo = FloatVector.broadcast(F, x[xk + k]), hi = FloatVector.broadcast(F, x[xk + 16 + k]);
                    long pairAt = at + Q + ROWS * k;
                    IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B16, s0, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B16, s1, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    e0 = ((FloatVector) q0.lanewise(AND, 15).convert(I2F, 0)).fma(lo, e0);
                    e1 = ((FloatVector) q1.lanewise(AND, 15).convert(I2F, 0)).fma(lo, e1);
                    f0 = ((FloatVector) q0.lanewise(LSHR, 4).convert(I2F, 0)).fma(hi, f0);
                    f1 = ((FloatVector) q1.lanewise(LSHR, 4).convert(I2F, 0)).fma(hi, f1);
                }
                // the tile's scales and mins, and per block d and dmin, read here and not through helpers: helpers past
                // C2's node budget for inlining stay calls that box their vectors
                FloatVector xs = FloatVector.broadcast(F, sums[sumsOff + t]);
                FloatVector sc0 = (FloatVector) ByteVector.fromMemorySegment(B16, s0, at, LE).convertShape(B2F, F, p);
                FloatVector sc1 = (FloatVector) ByteVector.fromMemorySegment(B16, s1, at, LE).convertShape(B2F, F, p);
                FloatVector mn0 = (FloatVector) ByteVector.fromMemorySegment(B16, s0, at + M, LE).convertShape(B2F, F, p);
                FloatVector mn1 = (FloatVector) ByteVector.fromMemorySegment(B16, s1, at + M, LE).convertShape(B2F, F, p);
                b0 = e0.add(f0).fma(sc0, b0);
                b1 = e1.add(f1).fma(sc1, b1);
                m0 = mn0.fma(xs, m0);
                m1 = mn1.fma(xs, m1);
                if (t % TILES_PER_BLOCK == TILES_PER_BLOCK - 1) { // the last tile of a 256-column block
                    long d = dAt + (long) (t / TILES_PER_BLOCK) * D_BYTES + 4L * pp, dmin = d + DMIN;
                    a0 = b0.fma(FloatVector.fromMemorySegment(F, s0, d, LE), a0).sub(m0.mul(FloatVector.fromMemorySegment(F, s0, dmin, LE)));
                    a1 = b1.fma(FloatVector.fromMemorySegment(F, s1, d, LE), a1).sub(m1.mul(FloatVector.fromMemorySegment(F, s1, dmin, LE)));
                    b0 = FloatVector.zero(F);
                    b1 = b0;
                    m0 = b0;
                    m1 = b0;
                }
            }
            a0.intoArray(out, o0 + pp);
            a1.intoArray(out, o1 + pp);
        }
    }

    /**
     * Eight tokens, two strips (32 rows): out[j * stride + o + 16 s + i] += row i of strip s times token j's x, over
     * tiles [t0, t1). xt holds the tokens' x transposed, [cols][8] at xt[xtOff ..] (token j of column c at 8 c + j; zero
     * for tokens past the batch). Per column: the two strips' weights decoded once, {@code q * (d sc) - dmin m} (one
     * FMA), then 8 broadcasts and 16 FMAs into 16 accumulators. Only the first {@code tokens} (1 to 8) are read from
     * and written to out: a last pass of fewer tokens runs zero x for the rest.
     */
    static void rows32x8(MemorySegment s0, MemorySegment s1, float[] xt, int xtOff, int t0, int t1, float[] out, int o, int stride, int tokens) {
        long dAt = dOffset(s0.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int op = o + p * F.length(), oq = op + 16;
            FloatVector zero = FloatVector.zero(F);
            FloatVector a0 = 0 < tokens ? FloatVector.fromArray(F, out, op) : zero, b0 = 0 < tokens ? FloatVector.fromArray(F, out, oq) : zero;
            FloatVector a1 = 1 < tokens ? FloatVector.fromArray(F, out, op + stride) : zero, b1 = 1 < tokens ? FloatVector.fromArray(F, out, oq + stride) : zero;
            FloatVector a2 = 2 < tokens ? FloatVector.fromArray(F, out, op + 2 * stride) : zero, b2 = 2 < tokens ? FloatVector.fromArray(F, out, oq + 2 * stride) : zero;
            FloatVector a3 = 3 < tokens ? FloatVector.fromArray(F, out, op + 3 * stride) : zero, b3 = 3 < tokens ? FloatVector.fromArray(F, out, oq + 3 * stride) : zero;
            FloatVector a4 = 4 < tokens ? FloatVector.fromArray(F, out, op + 4 * stride) : zero, b4 = 4 < tokens ? FloatVector.fromArray(F, out, oq + 4 * stride) : zero;
            FloatVector a5 = 5 < tokens ? FloatVector.fromArray(F, out, op + 5 * stride) : zero, b5 = 5 < tokens ? FloatVector.fromArray(F, out, oq + 5 * stride) : zero;
            FloatVector a6 = 6 < tokens ? FloatVector.fromArray(F, out, op + 6 * stride) : zero, b6 = 6 < tokens ? FloatVector.fromArray(F, out, oq + 6 * stride) : zero;
            FloatVector a7 = 7 < tokens ? FloatVector.fromArray(F, out, op + 7 * stride) : zero, b7 = 7 < tokens ? FloatVector.fromArray(F, out, oq + 7 * stride) : zero;
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES, d = dAt + (long) (t / TILES_PER_BLOCK) * D_BYTES + 4L * (op - o), dmin = d + DMIN;
                // the 16 rows' scales d sc and negated mins -dmin m, read here and not through helpers (see rows32x1)
                FloatVector c0 = ((FloatVector) ByteVector.fromMemorySegment(B16, s0, at, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s0, d, LE));
                FloatVector c1 = ((FloatVector) ByteVector.fromMemorySegment(B16, s1, at, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s1, d, LE));
                FloatVector n0 = ((FloatVector) ByteVector.fromMemorySegment(B16, s0, at + M, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s0, dmin, LE).neg());
                FloatVector n1 = ((FloatVector) ByteVector.fromMemorySegment(B16, s1, at + M, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s1, dmin, LE).neg());
                for (int k = 0; k < COLS / 2; k++) { // column pair k: column k (low nibbles), then k + 16 (high ones)
                    long pairAt = at + Q + ROWS * k;
                    IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B16, s0, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B16, s1, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    for (int shift = 0; shift <= 4; shift += 4) {
                        int xk = xtOff + 8 * (COLS * t + k + 4 * shift); // column k, or k + 16 for the high nibbles
                        FloatVector w0 = ((FloatVector) q0.lanewise(LSHR, shift).lanewise(AND, 15).convert(I2F, 0)).fma(c0, n0);
                        FloatVector w1 = ((FloatVector) q1.lanewise(LSHR, shift).lanewise(AND, 15).convert(I2F, 0)).fma(c1, n1);
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
            FloatVector zero = FloatVector.zero(F);
            FloatVector a0 = 0 < tokens ? FloatVector.fromArray(F, out, op) : zero, b0 = 0 < tokens ? FloatVector.fromArray(F, out, oq) : zero;
            FloatVector a1 = 1 < tokens ? FloatVector.fromArray(F, out, op + stride) : zero, b1 = 1 < tokens ? FloatVector.fromArray(F, out, oq + stride) : zero;
            FloatVector a2 = 2 < tokens ? FloatVector.fromArray(F, out, op + 2 * stride) : zero, b2 = 2 < tokens ? FloatVector.fromArray(F, out, oq + 2 * stride) : zero;
            FloatVector a3 = 3 < tokens ? FloatVector.fromArray(F, out, op + 3 * stride) : zero, b3 = 3 < tokens ? FloatVector.fromArray(F, out, oq + 3 * stride) : zero;
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES, d = dAt + (long) (t / TILES_PER_BLOCK) * D_BYTES + 4L * (op - o), dmin = d + DMIN;
                // the 16 rows' scales d sc and negated mins -dmin m, read here and not through helpers (see rows32x1)
                FloatVector c0 = ((FloatVector) ByteVector.fromMemorySegment(B16, s0, at, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s0, d, LE));
                FloatVector c1 = ((FloatVector) ByteVector.fromMemorySegment(B16, s1, at, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s1, d, LE));
                FloatVector n0 = ((FloatVector) ByteVector.fromMemorySegment(B16, s0, at + M, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s0, dmin, LE).neg());
                FloatVector n1 = ((FloatVector) ByteVector.fromMemorySegment(B16, s1, at + M, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, s1, dmin, LE).neg());
                for (int k = 0; k < COLS / 2; k++) { // column pair k: column k (low nibbles), then k + 16 (high ones)
                    long pairAt = at + Q + ROWS * k;
                    IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B16, s0, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B16, s1, pairAt, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    for (int shift = 0; shift <= 4; shift += 4) {
                        int xk = xtOff + 4 * (COLS * t + k + 4 * shift); // column k, or k + 16 for the high nibbles
                        FloatVector w0 = ((FloatVector) q0.lanewise(LSHR, shift).lanewise(AND, 15).convert(I2F, 0)).fma(c0, n0);
                        FloatVector w1 = ((FloatVector) q1.lanewise(LSHR, shift).lanewise(AND, 15).convert(I2F, 0)).fma(c1, n1);
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
     * w[wAt + c * wStride + i] (a panel of the prefill GEMM over the tiles, {@link StripGemm}). Per column pair one load, a mask and a
     * shift, two conversions and two FMAs, {@code q * (d sc) - dmin m} as {@link #rows32x8} decodes it (within a
     * rounding of {@link #weight}'s float, which rounds the product first).
     */
    static void dequantize(MemorySegment strip, int t0, int t1, float[] w, int wAt, int wStride) {
        long dAt = dOffset(strip.byteSize());
        for (int p = 0; p < VectorLanes.PARTS; p++) {
            int pp = p * F.length();
            for (int t = t0; t < t1; t++) {
                long at = (long) t * TILE_BYTES, d = dAt + (long) (t / TILES_PER_BLOCK) * D_BYTES + 4L * pp, dmin = d + DMIN;
                FloatVector c = ((FloatVector) ByteVector.fromMemorySegment(B16, strip, at, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, strip, d, LE));
                FloatVector n = ((FloatVector) ByteVector.fromMemorySegment(B16, strip, at + M, LE).convertShape(B2F, F, p))
                        .mul(FloatVector.fromMemorySegment(F, strip, dmin, LE).neg());
                int col = wAt + pp + COLS * (t - t0) * wStride;
                for (int k = 0; k < COLS / 2; k++) { // column pair k: column k (low nibbles), column k + 16 (high ones)
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B16, strip, at + Q + ROWS * k, LE).convertShape(ZERO_EXTEND_B2I, I, p);
                    ((FloatVector) q.lanewise(AND, 15).convert(I2F, 0)).fma(c, n).intoArray(w, col + k * wStride);
                    ((FloatVector) q.lanewise(LSHR, 4).convert(I2F, 0)).fma(c, n).intoArray(w, col + (k + 16) * wStride);
                }
            }
        }
    }
}
