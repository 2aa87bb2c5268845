package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.i8;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.bits;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.high4;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.low4;

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

    /** 6-bit values minus 32 from 4 low bits and the 2 qh bits at {@code shift}. */
    private static ByteVector six(ByteVector low4, ByteVector qh, int shift) {
        return low4.or(bits(qh, shift, 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        FloatVector zero = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256) {
            float d = half(w, at + D);
            for (int h = 0; h < 2; h++) {
                long ql = at + QL + 64 * h, qh = at + QH + 32 * h, sc = at + SCALES + 8 * h;
                for (int is = 0; is < 2; is++) { // 16 lanes l = 16*is .. 16*is+15
                    int l = 16 * is, xo = xOff + 128 * h + l;
                    ByteVector a = load16(w, ql + l), c = load16(w, ql + l + 32), hb = load16(w, qh + l);
                    acc = addScaled(acc, dot16(six(low4(a), hb, 0), x, xo, zero), d * i8(w, sc + is));
                    acc = addScaled(acc, dot16(six(low4(c), hb, 2), x, xo + 32, zero), d * i8(w, sc + is + 2));
                    acc = addScaled(acc, dot16(six(high4(a), hb, 4), x, xo + 64, zero), d * i8(w, sc + is + 4));
                    acc = addScaled(acc, dot16(six(high4(c), hb, 6), x, xo + 96, zero), d * i8(w, sc + is + 6));
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeQ6K(src, srcOff, dst, at);
    }
}
