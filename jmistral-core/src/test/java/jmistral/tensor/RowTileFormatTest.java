package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each row-tile layout (Q6_K in int8, Q4_K in nibbles) against its format's scalar reference: every weight the same
 * float, bit for bit; the vector kernels (at this JVM's vector width: the build runs this test at 512, 256 and 128
 * bits) against the tiles' scalar dot, over column ranges and adding into what out holds; the prefill GEMM's
 * dequantization against each weight.
 */
class RowTileFormatTest {

    @ParameterizedTest
    @EnumSource(RowTileFormat.class)
    void everyWeightIsTheFormatsReferenceValueExactly(RowTileFormat format) {
        int rows = 21, cols = 3 * 256; // the second strip has 5 rows, then zero rows
        MemorySegment w = RandomWeights.matrix(format.type, rows, cols, new Random(11));
        MemorySegment[] strips = repack(format, w, rows, cols, 2);
        long perBlock = format == RowTileFormat.Q6_K_INT8 ? 276 : 152;
        assertEquals(16 * 3 * perBlock, format.stripBytes(cols), perBlock + " bytes per 256 weights");
        long rowBytes = format.type.bytesFor(cols);
        BlockType block = BlockType.of(format.type);
        for (int r = 0; r < 32; r++) {
            float[] ref = r < rows ? BlockTypeTest.referenceRow(block, w, rowBytes, r, cols) : new float[cols];
            for (int c = 0; c < cols; c++) {
                float weight = format.weight(strips[r / 16], cols, r % 16, c);
                assertEquals(Float.floatToIntBits(ref[c]), Float.floatToIntBits(weight), "row " + r + " column " + c + ": " + ref[c] + " against " + weight);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RowTileFormat.class)
    void dequantizedPanelsHoldEachWeight(RowTileFormat format) {
        int rows = 21, cols = 3 * 256, stride = 40; // a panel of 40 rows' room: rows 16 .. 31 from the second strip
        MemorySegment w = RandomWeights.matrix(format.type, rows, cols, new Random(15));
        MemorySegment[] strips = repack(format, w, rows, cols, 2);
        int t0 = 256 / format.tileCols + 1, t1 = cols / format.tileCols - 1; // from a tile past the first 256-column block
        int c0 = t0 * format.tileCols, len = (t1 - t0) * format.tileCols;
        float[] panel = new float[2 + len * stride + 16];
        Arrays.fill(panel, Float.NaN);
        for (int s = 0; s < 2; s++) format.dequantize(strips[s], t0, t1, panel, 2 + 16 * s, stride);
        float largest = 0; // q (d sc) and dmin m are at most twice the largest weight: the FMA's rounding is within its ulp
        for (int r = 0; r < 32; r++) for (int c = 0; c < cols; c++) largest = Math.max(largest, Math.abs(format.weight(strips[r / 16], cols, r % 16, c)));
        for (int c = 0; c < len; c++) {
            for (int r = 0; r < 32; r++) {
                float weight = format.weight(strips[r / 16], cols, r % 16, c0 + c), got = panel[2 + c * stride + r];
                // Q6_K: (d sc) q, exactly the weight; Q4_K: q (d sc) - dmin m in one FMA, the weight's products rounded apart
                float tol = format == RowTileFormat.Q6_K_INT8 ? 0 : Math.ulp(2 * largest);
                assertEquals(weight, got, tol, "row " + r + " column " + (c0 + c));
            }
            for (int r = 32; r < stride; r++) assertEquals(Float.NaN, panel[2 + c * stride + r], "row " + r + " is not the strips': untouched");
        }
        assertEquals(Float.NaN, panel[0]);
        assertEquals(Float.NaN, panel[1]);
    }

    @ParameterizedTest
    @EnumSource(RowTileFormat.class)
    void kernelsMatchTheScalarDot(RowTileFormat format) {
        Random rnd = new Random(12);
        int rows = 64, cols = 5 * 256, tiles = cols / format.tileCols, split = 3 * 256 / format.tileCols; // two column ranges of whole blocks
        MemorySegment w = RandomWeights.matrix(format.type, rows, cols, rnd);
        MemorySegment[] s = repack(format, w, rows, cols, 4);
        int n = 8;
        float[] x = RandomWeights.vector(n * cols, rnd), before = RandomWeights.vector(n * rows, rnd);
        float[] xt8 = transposed(x, n, 8, cols, 3), xt4 = transposed(x, 4, 4, cols, 5);
        float[] sums = new float[2 + tiles]; // token 1's sums over each tile, at sums[2 ..]
        XSums.into(x, cols, cols, format.tileCols, sums, 2);

        float[] one = before.clone(); // rows64x1, token 1's x, strip s's rows at out[16 (3 - s) ..]: each strip an offset of its own
        for (int[] range : new int[][] {{0, split}, {split, tiles}}) {
            format.rows64x1(s[0], s[1], s[2], s[3], x, cols, sums, 2, range[0], range[1], one, 48, 32, 16, 0);
        }
        float[] eight = before.clone(), four = before.clone(); // out [tokens][rows]
        for (int half = 0; half < 2; half++) {
            format.rows32x8(s[2 * half], s[2 * half + 1], xt8, 3, 0, split, eight, 32 * half, rows, 8);
            format.rows32x8(s[2 * half], s[2 * half + 1], xt8, 3, split, tiles, eight, 32 * half, rows, 8);
            format.rows32x4(s[2 * half], s[2 * half + 1], xt4, 5, 0, split, four, 32 * half, rows, 4);
            format.rows32x4(s[2 * half], s[2 * half + 1], xt4, 5, split, tiles, four, 32 * half, rows, 4);
        }
        long rowBytes = format.type.bytesFor(cols);
        BlockType block = BlockType.of(format.type);
        for (int r = 0; r < rows; r++) {
            float[] ref = BlockTypeTest.referenceRow(block, w, rowBytes, r, cols);
            int oneAt = 16 * (3 - r / 16) + r % 16;
            for (int t = 0; t < n; t++) {
                double scalar = format.dotReference(s[r / 16], r % 16, x, t * cols, cols), exact = 0;
                for (int c = 0; c < cols; c++) exact += (double) ref[c] * x[t * cols + c];
                float tol = BlockTypeTest.tolerance(ref, x, t * cols) + 1e-6f * Math.abs(before[t * rows + r]);
                assertEquals(exact, scalar, tol, "row " + r + " token " + t + ": the tiles' scalar dot against the format's reference");
                assertEquals(before[t * rows + r] + scalar, eight[t * rows + r], tol, "rows32x8, row " + r + " token " + t);
                if (t < 4) assertEquals(before[t * rows + r] + scalar, four[t * rows + r], tol, "rows32x4, row " + r + " token " + t);
                // rows64x1 wrote token 1's rows where token 0's stand in out: its tolerance from what it added to there
                float oneTol = BlockTypeTest.tolerance(ref, x, cols) + 1e-6f * Math.abs(before[oneAt]);
                if (t == 1) assertEquals(before[oneAt] + scalar, one[oneAt], oneTol, "rows64x1, row " + r);
            }
        }
    }

    /** Tokens [0, n) of x [..][cols] as xt [cols][width] at xt[off ..], tokens past n zero. */
    private static float[] transposed(float[] x, int n, int width, int cols, int off) {
        float[] xt = new float[off + width * cols];
        Arrays.fill(xt, Float.NaN);
        for (int c = 0; c < cols; c++) for (int j = 0; j < width; j++) xt[off + width * c + j] = j < n ? x[j * cols + c] : 0f;
        return xt;
    }

    private static MemorySegment[] repack(RowTileFormat format, MemorySegment w, int rows, int cols, int strips) {
        MemorySegment[] s = new MemorySegment[strips];
        for (int i = 0; i < strips; i++) {
            s[i] = Arena.ofAuto().allocate(format.stripBytes(cols));
            format.repack(w, format.type.bytesFor(cols), rows, 16 * i, cols, s[i]);
        }
        return s;
    }
}
