package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0: 32 weights in 18 bytes: {@code half d; u8 qs[16]}. Low nibbles hold weights 0..15, high
 * nibbles weights 16..31; y = d * (nibble - 8).
 */
final class Q4_0Block implements BlockType {
    static final Q4_0Block INSTANCE = new Q4_0Block();

    public GgmlType type() { return GgmlType.Q4_0; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, at + 2 + j);
            dst[dstOff + j] = d * ((q & 15) - 8);
            dst[dstOff + j + 16] = d * ((q >> 4) - 8);
        }
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}): one 16-byte load of
     * qs per block; lo = low nibbles - 8 (weights 0..15), hi = high nibbles - 8 (weights 16..31, the
     * nibble moved down by a 32-bit lane shift and masked), summed as q*x and scaled by d once.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 18, xOff += 32) {
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector lo = qs.and((byte) 15).sub((byte) 8);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15).sub((byte) 8);
            FloatVector s = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s);
            }
            acc = s.fma(FloatVector.broadcast(F, half(w, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Vector dequantization (prefill): the same lo, hi as {@link #dot}, stored as d*q. */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 18, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector lo = qs.and((byte) 15).sub((byte) 8);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15).sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp + 16);
            }
        }
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q4_0_ref: d = max/-8 (max = the signed value of largest magnitude). */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float max = QuantMath.signedAbsMax(src, srcOff, 32);
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) (src[srcOff + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (src[srcOff + 16 + j] * id + 8.5f));
            BlockBytes.put8(dst, at + 2 + j, q0 | (q1 << 4));
        }
    }
}
