package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.bits;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.sum16;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K: 256 weights in 84 bytes: {@code u8 scales[16]; u8 qs[64]; half d, dmin}. 16 groups of 16;
 * scales[g] holds a 4-bit scale (low nibble) and 4-bit min (high nibble); y = d*sc*q - dmin*m.
 * The 2-bit q of group g: half h = g/8 uses qs[32h .. 32h+32), shift 2*((g%8)/2), bytes 0..15
 * for even g and 16..31 for odd g.
 */
final class Q2_KBlock implements BlockType {
    static final Q2_KBlock INSTANCE = new Q2_KBlock();
    private static final long SCALES = 0, QS = 16, D = 80, DMIN = 82;

    public GgmlType type() { return GgmlType.Q2_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D), dmin = half(w, at + DMIN);
        for (int g = 0; g < 16; g++) {
            int sc = u8(w, at + SCALES + g);
            long q = at + QS + 32 * (g / 8) + 16 * (g % 2);
            int shift = 2 * ((g % 8) / 2);
            for (int l = 0; l < 16; l++) {
                dst[dstOff + 16 * g + l] = d * (sc & 15) * ((u8(w, q + l) >> shift) & 3) - dmin * (sc >> 4);
            }
        }
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        FloatVector zero = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 84, xOff += 256) {
            float d = half(w, at + D), dmin = half(w, at + DMIN);
            for (int g = 0; g < 16; g++) {
                int sc = u8(w, at + SCALES + g);
                int xo = xOff + 16 * g;
                var q = bits(load16(w, at + QS + 32 * (g / 8) + 16 * (g % 2)), 2 * ((g % 8) / 2), 3);
                acc = addScaled(acc, dot16(q, x, xo, zero), d * (sc & 15));
                acc = addScaled(acc, sum16(x, xo, zero), -dmin * (sc >> 4));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
