package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The arranged-x decode kernels ({@link BlockType#arrangesX}): the x orders against the weight each
 * kernel lane decodes, derived here from the byte layout, and the arranged kernels against the scalar
 * reference at every vector width (the surefire runs at 512, 256 and 128 bits; below 16 lanes the
 * formats keep plain x and the test checks the copy).
 */
class ArrangedXTest {

    /**
     * Q4_K: the kernel reads int lane i of qs[64g ..] (bytes 64g + 4i .. + 3), byte k of it, nibble n, and
     * multiplies it (in place: times 2^(8k + 4n)) by x'[128g + 64n + 16k + i]. By the layout (qs byte c*32 + l: low nibble = weight
     * 64c + l, high nibble = weight 64c + 32 + l), that byte's nibble is weight 64c + 32n + l.
     */
    @Test
    void q4kOrderPairsEachNibbleWithItsWeight() {
        int blocks = 3;
        float[] x = new float[5 + 256 * blocks];
        for (int i = 0; i < x.length; i++) x[i] = i - 5; // x[5 + j] = j: the arranged values name their weights
        float[] xa = new float[2 + 256 * blocks];
        KScaleMinBlocks.arrangeX4(x, 5, xa, 2, blocks);
        for (int b = 0; b < blocks; b++) {
            for (int g = 0; g < 2; g++) {
                for (int n = 0; n < 2; n++) {
                    for (int k = 0; k < 4; k++) {
                        for (int i = 0; i < 16; i++) {
                            int qsByte = 64 * g + 4 * i + k, c = qsByte / 32, l = qsByte % 32;
                            int weight = 256 * b + 64 * c + 32 * n + l;
                            // the kernel masks nibble (k, n) in place, q * 2^(8k + 4n), except the top one (shifted down)
                            float factor = k == 3 && n == 1 ? 1 : (float) Math.pow(2, -(8 * k + 4 * n));
                            assertEquals(weight * factor, xa[2 + 256 * b + 128 * g + 64 * n + 16 * k + i],
                                    "block " + b + ", qs byte " + qsByte + ", nibble " + n);
                        }
                    }
                }
            }
        }
    }

    /**
     * Q6_K: the kernel reads int lane i of ql[64h ..] (bytes 64h + 4i .. + 3), byte k of it, nibble n, and
     * multiplies its 6-bit value (in place: times 2^8k) by x'[128h + 64n + 16k + i]. By the layout (half
     * h, l < 32: ql[l] low / high nibble = weights l / l + 64, ql[l + 32] low / high = l + 32 / l + 96).
     */
    @Test
    void q6kOrderPairsEachNibbleWithItsWeight() {
        int blocks = 2;
        float[] x = new float[3 + 256 * blocks];
        for (int i = 0; i < x.length; i++) x[i] = i - 3;
        float[] xa = new float[256 * blocks];
        Q6_KBlock.arrangeX16(x, 3, xa, 0, blocks);
        for (int b = 0; b < blocks; b++) {
            for (int h = 0; h < 2; h++) {
                for (int n = 0; n < 2; n++) {
                    for (int k = 0; k < 4; k++) {
                        for (int i = 0; i < 16; i++) {
                            int qlByte = 4 * i + k; // within the half's 64 bytes
                            int l = qlByte % 32, upper = qlByte / 32; // ql[l] or ql[l + 32]
                            int weight = 256 * b + 128 * h + l + 32 * upper + 64 * n;
                            float factor = (float) Math.pow(2, -8 * k);
                            assertEquals(weight * factor, xa[256 * b + 128 * h + 64 * n + 16 * k + i],
                                    "block " + b + ", half " + h + ", ql byte " + qlByte + ", nibble " + n);
                        }
                    }
                }
            }
        }
    }

    /** The matvec path (x arranged once, {@link BlockType#dotArranged} per row) against the scalar reference, x and sums at offsets. */
    @Test
    void arrangedDotsMatchScalarReference() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            BlockType bt = BlockType.of(type);
            Random rnd = new Random(type.ordinal() * 13L + 1);
            for (int cols : new int[] {256, 768, 4096}) {
                int rows = 5, blocks = cols / 256, xOff = 7, sumsOff = 3, g = bt.sumsGroup();
                long rowBytes = type.bytesFor(cols);
                MemorySegment w = RandomWeights.matrix(type, rows, cols, rnd);
                float[] x = RandomWeights.vector(xOff + cols, rnd);
                float[] sums = null;
                if (g != 0) {
                    sums = new float[sumsOff + cols / g];
                    XSums.into(x, xOff, cols, g, sums, sumsOff);
                }
                float[] xa = new float[1 + cols];
                bt.arrangeX(x, xOff, xa, 1, blocks);
                if (!bt.arrangesX()) {
                    for (int i = 0; i < cols; i++) assertEquals(x[xOff + i], xa[1 + i], type + " plain order is a copy");
                }
                for (int r = 0; r < rows; r++) {
                    float[] ref = BlockTypeTest.referenceRow(bt, w, rowBytes, r, cols);
                    float expected = bt.dotReference(w, r * rowBytes, x, xOff, blocks);
                    float tol = BlockTypeTest.tolerance(ref, x, xOff);
                    assertEquals(expected, bt.dotArranged(w, r * rowBytes, xa, 1, sums, sumsOff, blocks), tol, type + " dotArranged, row " + r + ", cols " + cols);
                    assertEquals(expected, bt.dot(w, r * rowBytes, x, xOff, sums, sumsOff, blocks), tol, type + " plain dot, row " + r + ", cols " + cols);
                }
            }
        }
    }
}
