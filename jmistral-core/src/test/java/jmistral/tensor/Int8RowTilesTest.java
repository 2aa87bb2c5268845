package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q6_K repacked into int8 row tiles against the Q6_K scalar reference: every weight the same float, bit for bit; the
 * vector kernels (at this JVM's vector width: the build runs this test at 512, 256 and 128 bits) against the tiles'
 * scalar dot, over column ranges and adding into what out holds.
 */
class Int8RowTilesTest {
    private static final BlockType Q6_K = BlockType.of(GgmlType.Q6_K);

    @Test
    void everyWeightIsTheQ6KReferenceValueExactly() {
        int rows = 21, cols = 3 * 256; // the second strip has 5 rows, then zero rows
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, new Random(11));
        MemorySegment[] strips = repack(w, rows, cols, 2);
        assertEquals(16 * 3 * 276, Int8RowTiles.stripBytes(cols), "276 bytes per 256 weights");
        long rowBytes = GgmlType.Q6_K.bytesFor(cols);
        for (int r = 0; r < 32; r++) {
            float[] ref = r < rows ? BlockTypeTest.referenceRow(Q6_K, w, rowBytes, r, cols) : new float[cols];
            for (int c = 0; c < cols; c++) {
                float weight = Int8RowTiles.weight(strips[r / 16], cols, r % 16, c);
                assertEquals(Float.floatToIntBits(ref[c]), Float.floatToIntBits(weight), "row " + r + " column " + c + ": " + ref[c] + " against " + weight);
            }
        }
    }

    @Test
    void kernelsMatchTheScalarDot() {
        Random rnd = new Random(12);
        int rows = 64, cols = 5 * 256, tiles = cols / 16, split = 48; // two column ranges of whole blocks: [0, 48) and [48, 80) tiles
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, rnd);
        MemorySegment[] s = repack(w, rows, cols, 4);
        int n = 8;
        float[] x = RandomWeights.vector(n * cols, rnd), before = RandomWeights.vector(n * rows, rnd);
        float[] xt8 = transposed(x, n, 8, cols, 3), xt4 = transposed(x, 4, 4, cols, 5);

        float[] one = before.clone(); // rows64x1, token 1's x, rows at out[0 ..]
        Int8RowTiles.rows64x1(s[0], s[1], s[2], s[3], x, cols, 0, split, one, 0);
        Int8RowTiles.rows64x1(s[0], s[1], s[2], s[3], x, cols, split, tiles, one, 0);
        float[] eight = before.clone(), four = before.clone(); // out [tokens][rows]
        for (int half = 0; half < 2; half++) {
            Int8RowTiles.rows32x8(s[2 * half], s[2 * half + 1], xt8, 3, 0, split, eight, 32 * half, rows, 8);
            Int8RowTiles.rows32x8(s[2 * half], s[2 * half + 1], xt8, 3, split, tiles, eight, 32 * half, rows, 8);
            Int8RowTiles.rows32x4(s[2 * half], s[2 * half + 1], xt4, 5, 0, split, four, 32 * half, rows, 4);
            Int8RowTiles.rows32x4(s[2 * half], s[2 * half + 1], xt4, 5, split, tiles, four, 32 * half, rows, 4);
        }
        long rowBytes = GgmlType.Q6_K.bytesFor(cols);
        for (int r = 0; r < rows; r++) {
            float[] ref = BlockTypeTest.referenceRow(Q6_K, w, rowBytes, r, cols);
            for (int t = 0; t < n; t++) {
                double scalar = Int8RowTiles.dotReference(s[r / 16], r % 16, x, t * cols, cols), exact = 0;
                for (int c = 0; c < cols; c++) exact += (double) ref[c] * x[t * cols + c];
                float tol = BlockTypeTest.tolerance(ref, x, t * cols) + 1e-6f * Math.abs(before[t * rows + r]);
                assertEquals(exact, scalar, tol, "row " + r + " token " + t + ": the tiles' scalar dot against the Q6_K reference");
                assertEquals(before[t * rows + r] + scalar, eight[t * rows + r], tol, "rows32x8, row " + r + " token " + t);
                if (t < 4) assertEquals(before[t * rows + r] + scalar, four[t * rows + r], tol, "rows32x4, row " + r + " token " + t);
                if (t == 1) assertEquals(before[r] + scalar, one[r], tol, "rows64x1, row " + r);
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

    private static MemorySegment[] repack(MemorySegment w, int rows, int cols, int strips) {
        MemorySegment[] s = new MemorySegment[strips];
        for (int i = 0; i < strips; i++) {
            s[i] = Arena.ofAuto().allocate(Int8RowTiles.stripBytes(cols));
            Int8RowTiles.repackQ6_K(w, GgmlType.Q6_K.bytesFor(cols), rows, 16 * i, cols, s[i]);
        }
        return s;
    }
}
