package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The repacked Q6_K groups against the Q6_K scalar reference: every weight the same float, bit for bit; the vector
 * kernels (at this JVM's vector width: the build runs this test at 512, 256 and 128 bits) against the scalar dot.
 */
class Q6_KGroupsTest {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final BlockType Q6_K = BlockType.of(GgmlType.Q6_K);

    @Test
    void everyWeightIsTheQ6KReferenceValueExactly() {
        int rows = 5, cols = 3 * 256;
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, new Random(11));
        MemorySegment g = repack(w, rows, cols);
        long rowBytes = GgmlType.Q6_K.bytesFor(cols), groupRowBytes = Q6_KGroups.bytesFor(cols);
        for (int r = 0; r < rows; r++) {
            float[] ref = BlockTypeTest.referenceRow(Q6_K, w, rowBytes, r, cols);
            for (int i = 0; i < cols; i++) {
                long group = r * groupRowBytes + (long) (i / 16) * Q6_KGroups.GROUP_BYTES;
                float weight = g.get(F32_LE, group) * g.get(ValueLayout.JAVA_BYTE, group + 4 + i % 16);
                assertEquals(Float.floatToIntBits(ref[i]), Float.floatToIntBits(weight), "row " + r + " weight " + i + ": " + ref[i] + " against " + weight);
            }
        }
    }

    @Test
    void kernelsMatchTheScalarDot() {
        Random rnd = new Random(12);
        int rows = 9, cols = 4 * 256;
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, rnd);
        MemorySegment g = repack(w, rows, cols);
        long rowBytes = GgmlType.Q6_K.bytesFor(cols), groupRowBytes = Q6_KGroups.bytesFor(cols);
        int xOff = 7; // x read from an offset, as a slice reads its columns
        float[] x = RandomWeights.vector(xOff + cols, rnd), pair = new float[2];
        for (int r = 0; r < rows; r++) {
            float[] ref = BlockTypeTest.referenceRow(Q6_K, w, rowBytes, r, cols);
            float tol = BlockTypeTest.tolerance(ref, x, xOff);
            double scalar = Q6_KGroups.dotReference(g, r * groupRowBytes, x, xOff, cols / 256);
            double exact = 0;
            for (int c = 0; c < cols; c++) exact += (double) ref[c] * x[xOff + c];
            assertEquals(exact, scalar, tol, "row " + r + ": the groups' scalar dot against the Q6_K reference");
            assertEquals(scalar, Q6_KGroups.dot(g.asSlice(r * groupRowBytes, groupRowBytes), x, xOff, cols / 256), tol, "row " + r + ": dot");
            int other = (r + 4) % rows;
            java.util.Arrays.fill(pair, 0f); // dot2Rows adds to what is there
            Q6_KGroups.dot2Rows(g.asSlice(r * groupRowBytes, groupRowBytes), g.asSlice(other * groupRowBytes, groupRowBytes), x, xOff, cols / 256, pair, 0, 1);
            assertEquals(scalar, pair[0], tol, "row " + r + ": dot2Rows, first row");
            assertEquals(Q6_KGroups.dotReference(g, other * groupRowBytes, x, xOff, cols / 256), pair[1],
                    BlockTypeTest.tolerance(BlockTypeTest.referenceRow(Q6_K, w, rowBytes, other, cols), x, xOff), "row " + other + ": dot2Rows, second row");
        }
    }

    @Test
    void aSliceOfColumnsIsRepackedOnItsOwn() {
        // ColumnSlicedMatrix repacks each row's slice from the Q6_K blocks it starts at
        int rows = 3, cols = 4 * 256, slice = 2 * 256;
        MemorySegment w = RandomWeights.matrix(GgmlType.Q6_K, rows, cols, new Random(13));
        MemorySegment whole = repack(w, rows, cols), part = Arena.ofAuto().allocate(Q6_KGroups.bytesFor(slice));
        long rowBytes = GgmlType.Q6_K.bytesFor(cols), groupRowBytes = Q6_KGroups.bytesFor(cols);
        Q6_KGroups.repack(w, 2 * rowBytes + GgmlType.Q6_K.bytesFor(slice), part, 0, slice / 256);
        assertEquals(-1, whole.asSlice(2 * groupRowBytes + Q6_KGroups.bytesFor(slice), Q6_KGroups.bytesFor(slice)).mismatch(part));
    }

    private static MemorySegment repack(MemorySegment w, int rows, int cols) {
        MemorySegment g = Arena.ofAuto().allocate(rows * Q6_KGroups.bytesFor(cols));
        long rowBytes = GgmlType.Q6_K.bytesFor(cols), groupRowBytes = Q6_KGroups.bytesFor(cols);
        for (int r = 0; r < rows; r++) Q6_KGroups.repack(w, r * rowBytes, g, r * groupRowBytes, cols / 256);
        return g;
    }
}
