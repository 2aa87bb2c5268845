package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.kScaleMin;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.bits;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.dot16;
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

    /**
     * Vector dot: sum over the 8 sub-blocks j of d*sc_j*sum(q*x) - dmin*m_j*sum(x). Sub-block j
     * takes nibble j%2 of qs[32*(j/2) ..], plus (Q5_K, qhOff >= 0) bit j of qh[l] as bit 4.
     * Written as loops with one call site per vector operation: C2 stops inlining a method whose
     * graph grows past a node budget, and a vector op that is not inlined boxes its vectors.
     */
    static float dot(MemorySegment w, long at, long qhOff, long qsOff, int blockBytes, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F), mins = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256) {
            float d = half(w, at), dmin = half(w, at + 2);
            long scales = BlockBytes.kScales(w, at + SCALES), minima = BlockBytes.kMins(w, at + SCALES);
            for (int j = 0; j < 8; j++) {
                FloatVector s = FloatVector.zero(F), xs = FloatVector.zero(F);
                for (int h = 0; h < 2; h++) {
                    ByteVector q = bits(load16(w, at + qsOff + 32 * (j >> 1) + 16 * h), 4 * (j & 1), 15);
                    if (qhOff >= 0) {
                        q = q.or(bits(load16(w, at + qhOff + 16 * h), j, 1).lanewise(VectorOperators.LSHL, 4));
                    }
                    int xo = xOff + 32 * j + 16 * h;
                    s = dot16(q, x, xo, s);
                    xs = sum16(x, xo, xs);
                }
                acc = addScaled(acc, s, d * ((scales >>> (6 * j)) & 63));
                mins = addScaled(mins, xs, dmin * ((minima >>> (6 * j)) & 63));
            }
        }
        return acc.sub(mins).reduceLanes(VectorOperators.ADD);
    }
}
