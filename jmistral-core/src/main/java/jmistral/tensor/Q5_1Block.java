package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u32;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Q5_1: 32 weights in 24 bytes: {@code half d, m; u8 qh[4]; u8 qs[16]}; 5-bit q as Q5_0; y = d * q + m. */
final class Q5_1Block implements BlockType {
    static final Q5_1Block INSTANCE = new Q5_1Block();

    public GgmlType type() { return GgmlType.Q5_1; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at), m = half(w, at + 2);
        for (int j = 0; j < 32; j++) dst[dstOff + j] = d * Q5_0Block.fiveBits(w, at + 4, at + 8, j) + m;
    }

    /**
     * Vector dot = d * sum(q * x) + m * sum(x) per block (direct Vector API calls only, see
     * {@link KScaleMinBlocks#dot}): lo, hi are the 5-bit values of weights 0..15 and 16..31 formed as
     * in {@link Q5_0Block#dot} (without the -16); s accumulates q*x and xs the x values.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 24, xOff += 32) {
            int qh = u32(w, at + 4);
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 8, LE);
            ByteVector lo = qs.and((byte) 15).lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh & 0xFFFF));
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh >>> 16));
            FloatVector s = FloatVector.zero(F), xs = s;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                FloatVector x0 = FloatVector.fromArray(F, x, xp), x1 = FloatVector.fromArray(F, x, xp + 16);
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(x0, s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(x1, s);
                xs = xs.add(x0).add(x1);
            }
            acc = s.fma(FloatVector.broadcast(F, half(w, at)), acc);
            acc = xs.fma(FloatVector.broadcast(F, half(w, at + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dequantization (prefill): the same lo, hi as {@link #dot}, stored as d*q + m (a multiply
     * then an add, not an fma: the reference's two roundings, so the values are the reference's exactly).
     */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 24, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at)), m = FloatVector.broadcast(F, half(w, at + 2));
            int qh = u32(w, at + 4);
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 8, LE);
            ByteVector lo = qs.and((byte) 15).lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh & 0xFFFF));
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh >>> 16));
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).add(m).intoArray(dst, yp);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).add(m).intoArray(dst, yp + 16);
            }
        }
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q5_1_ref: d = (max - min)/31, m = min. */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float min = QuantMath.min(src, srcOff, 32), max = QuantMath.max(src, srcOff, 32);
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        BlockBytes.putHalf(dst, at + 2, min);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = ((int) ((src[srcOff + j] - min) * id + 0.5f)) & 0xFF;
        Q5_0Block.putFiveBits(q, dst, at + 4, at + 8);
    }
}
