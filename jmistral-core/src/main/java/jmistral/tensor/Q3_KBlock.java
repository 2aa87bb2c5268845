package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.q3kScale;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.bits;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.load16;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K: 256 weights in 110 bytes: {@code u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d}. 16 groups
 * of 16 with 6-bit signed scales ({@link BlockBytes#q3kScale}); y = d * s * (q - 4) where q = 2 low
 * bits (as Q2_K: half g/8, shift 2*((g%8)/2), bytes 16*(g%2)..) plus 4 when bit g/2 of hmask[l] is set.
 */
final class Q3_KBlock implements BlockType {
    static final Q3_KBlock INSTANCE = new Q3_KBlock();
    private static final long HMASK = 0, QS = 32, SCALES = 96, D = 108;

    public GgmlType type() { return GgmlType.Q3_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D);
        for (int g = 0; g < 16; g++) {
            float dl = d * q3kScale(w, at + SCALES, g);
            long q = at + QS + 32 * (g / 8) + 16 * (g % 2);
            long hm = at + HMASK + 16 * (g % 2);
            int shift = 2 * ((g % 8) / 2);
            int bit = g / 2;
            for (int l = 0; l < 16; l++) {
                int low = (u8(w, q + l) >> shift) & 3;
                int high = (u8(w, hm + l) >> bit) & 1;
                dst[dstOff + 16 * g + l] = dl * (low - (high != 0 ? 0 : 4));
            }
        }
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 110, xOff += 256) {
            float d = half(w, at + D);
            for (int g = 0; g < 16; g++) {
                ByteVector low = bits(load16(w, at + QS + 32 * (g / 8) + 16 * (g % 2)), 2 * ((g % 8) / 2), 3);
                ByteVector high = bits(load16(w, at + HMASK + 16 * (g % 2)), g / 2, 1).lanewise(VectorOperators.LSHL, 2);
                ByteVector q = low.or(high).sub((byte) 4);
                acc = addScaled(acc, dot16(q, x, xOff + 16 * g, FloatVector.zero(F)), d * q3kScale(w, at + SCALES, g));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
