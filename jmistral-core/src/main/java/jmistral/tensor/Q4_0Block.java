package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.high4;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.low4;

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

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 18, xOff += 32) {
            ByteVector q = load16(w, at + 2);
            FloatVector s = dot16(low4(q).sub((byte) 8), x, xOff, FloatVector.zero(F));
            s = dot16(high4(q).sub((byte) 8), x, xOff + 16, s);
            acc = addScaled(acc, s, half(w, at));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 18, dstOff += 32) {
            float d = half(w, at);
            ByteVector q = load16(w, at + 2);
            VectorLanes.store16(low4(q).sub((byte) 8), d, 0f, dst, dstOff);
            VectorLanes.store16(high4(q).sub((byte) 8), d, 0f, dst, dstOff + 16);
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
