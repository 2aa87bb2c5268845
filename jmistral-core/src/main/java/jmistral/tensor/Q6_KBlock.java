package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.i8;
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
 * Q6_K: 256 weights in 210 bytes: {@code u8 ql[128]; u8 qh[64]; int8 scales[16]; half d}; 16 groups
 * of 16 with an 8-bit signed scale; y = d * scale * (q - 32), q = 4 low bits from ql | 2 high bits from qh.
 * Per 128-weight half h (ql += 64, qh += 32, scales += 8), for l < 32 (group is = l/16):
 * weights l, l+32, l+64, l+96 take the low nibble of ql[l], low nibble of ql[l+32], high nibble of
 * ql[l], high nibble of ql[l+32], and bits 0-1, 2-3, 4-5, 6-7 of qh[l]; scales is, is+2, is+4, is+6.
 */
final class Q6_KBlock implements BlockType {
    static final Q6_KBlock INSTANCE = new Q6_KBlock();
    private static final long QL = 0, QH = 128, SCALES = 192, D = 208;

    public GgmlType type() { return GgmlType.Q6_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D);
        for (int h = 0; h < 2; h++) {
            long ql = at + QL + 64 * h, qh = at + QH + 32 * h, sc = at + SCALES + 8 * h;
            int y = dstOff + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int hb = u8(w, qh + l);
                int q1 = ((u8(w, ql + l) & 15) | ((hb & 3) << 4)) - 32;
                int q2 = ((u8(w, ql + l + 32) & 15) | (((hb >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(w, ql + l) >> 4) | (((hb >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(w, ql + l + 32) >> 4) | (((hb >> 6) & 3) << 4)) - 32;
                dst[y + l] = d * i8(w, sc + is) * q1;
                dst[y + l + 32] = d * i8(w, sc + is + 2) * q2;
                dst[y + l + 64] = d * i8(w, sc + is + 4) * q3;
                dst[y + l + 96] = d * i8(w, sc + is + 6) * q4;
            }
        }
    }

    /**
     * Vector dot, one 16-weight group g per iteration (one call site per vector op, see
     * KScaleMinBlocks.dot): half h = g/8, quarter k = (g%8)/2, lanes 16*(g%2) ..; the 4 low bits
     * are nibble k/2 of ql[64h + 32*(k%2) + l], the 2 high bits are bits 2k of qh[32h + l].
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256) {
            float d = half(w, at + D);
            for (int g = 0; g < 16; g++) {
                int h = g >> 3, k = (g >> 1) & 3, l = 16 * (g & 1);
                ByteVector low = bits(load16(w, at + QL + 64 * h + 32 * (k & 1) + l), 4 * (k >> 1), 15);
                ByteVector high = bits(load16(w, at + QH + 32 * h + l), 2 * k, 3);
                ByteVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                int scale = i8(w, at + SCALES + 8 * h + (g & 1) + 2 * k);
                acc = addScaled(acc, dot16(q, x, xOff + 128 * h + 32 * k + l, FloatVector.zero(F)), d * scale);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeQ6K(src, srcOff, dst, at);
    }
}
