package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.kScaleMin;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.bits;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.high4;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.low4;
import static jmistral.tensor.VectorLanes.sum16;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * What Q4_K and Q5_K share: a 256-weight super-block {@code half d, dmin; u8 scales[12]; [u8 qh[32];]
 * u8 qs[128]} of 8 sub-blocks of 32, each with a 6-bit scale sc and min m ({@link BlockBytes#kScaleMin});
 * y = d*sc*q - dmin*m. The 4-bit part q of 64-weight chunk n lives in qs[32n .. 32n+32): low nibbles
 * are sub-block 2n, high nibbles sub-block 2n+1. Q5_K adds bit 4 from qh[l]: bit 2n for the low
 * nibble, bit 2n+1 for the high one.
 */
final class KScaleMinBlocks {
    private KScaleMinBlocks() {}

    static final long SCALES = 4;

    /** Reference dequantization; qhAt < 0 for Q4_K (no high bits). */
    static void dequantizeBlock(MemorySegment w, long at, long qhAt, long qsAt, float[] dst, int dstOff) {
        float d = half(w, at), dmin = half(w, at + 2);
        for (int n = 0; n < 4; n++) {
            int sm0 = kScaleMin(w, at + SCALES, 2 * n), sm1 = kScaleMin(w, at + SCALES, 2 * n + 1);
            float d0 = d * (sm0 & 0xFF), m0 = dmin * (sm0 >> 8);
            float d1 = d * (sm1 & 0xFF), m1 = dmin * (sm1 >> 8);
            for (int l = 0; l < 32; l++) {
                int q = u8(w, qsAt + 32 * n + l);
                int h = qhAt < 0 ? 0 : u8(w, qhAt + l);
                int lo = (q & 15) | (((h >> (2 * n)) & 1) << 4);
                int hi = (q >> 4) | (((h >> (2 * n + 1)) & 1) << 4);
                dst[dstOff + 64 * n + l] = d0 * lo - m0;
                dst[dstOff + 64 * n + 32 + l] = d1 * hi - m1;
            }
        }
    }

    /** Vector dot: sum over sub-blocks of d*sc*sum(q*x) - dmin*m*sum(x). qhAt < 0 for Q4_K. */
    static float dot(MemorySegment w, long at, long qhOff, long qsOff, int blockBytes, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        FloatVector zero = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256) {
            float d = half(w, at), dmin = half(w, at + 2);
            ByteVector qh0 = null, qh1 = null;
            if (qhOff >= 0) {
                qh0 = load16(w, at + qhOff);
                qh1 = load16(w, at + qhOff + 16);
            }
            for (int n = 0; n < 4; n++) {
                ByteVector q0 = load16(w, at + qsOff + 32 * n), q1 = load16(w, at + qsOff + 32 * n + 16);
                ByteVector lo0 = low4(q0), lo1 = low4(q1), hi0 = high4(q0), hi1 = high4(q1);
                if (qhOff >= 0) {
                    lo0 = lo0.or(bits(qh0, 2 * n, 1).lanewise(VectorOperators.LSHL, 4));
                    lo1 = lo1.or(bits(qh1, 2 * n, 1).lanewise(VectorOperators.LSHL, 4));
                    hi0 = hi0.or(bits(qh0, 2 * n + 1, 1).lanewise(VectorOperators.LSHL, 4));
                    hi1 = hi1.or(bits(qh1, 2 * n + 1, 1).lanewise(VectorOperators.LSHL, 4));
                }
                int xo = xOff + 64 * n;
                FloatVector s0 = dot16(lo1, x, xo + 16, dot16(lo0, x, xo, zero));
                FloatVector s1 = dot16(hi1, x, xo + 48, dot16(hi0, x, xo + 32, zero));
                FloatVector xs0 = sum16(x, xo + 16, sum16(x, xo, zero));
                FloatVector xs1 = sum16(x, xo + 48, sum16(x, xo + 32, zero));
                int sm0 = kScaleMin(w, at + SCALES, 2 * n), sm1 = kScaleMin(w, at + SCALES, 2 * n + 1);
                acc = addScaled(acc, s0, d * (sm0 & 0xFF));
                acc = addScaled(acc, s1, d * (sm1 & 0xFF));
                acc = addScaled(acc, xs0, -dmin * (sm0 >> 8));
                acc = addScaled(acc, xs1, -dmin * (sm1 >> 8));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
