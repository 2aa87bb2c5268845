package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.high4;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.low4;
import static jmistral.tensor.VectorLanes.sum16;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Q4_1: 32 weights in 20 bytes: {@code half d, m; u8 qs[16]} (nibble order as Q4_0); y = d * nibble + m. */
final class Q4_1Block implements BlockType {
    static final Q4_1Block INSTANCE = new Q4_1Block();

    public GgmlType type() { return GgmlType.Q4_1; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at), m = half(w, at + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, at + 4 + j);
            dst[dstOff + j] = d * (q & 15) + m;
            dst[dstOff + j + 16] = d * (q >> 4) + m;
        }
    }

    // dot = d * sum(q * x) + m * sum(x)
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 20, xOff += 32) {
            ByteVector q = load16(w, at + 4);
            FloatVector s = dot16(low4(q), x, xOff, FloatVector.zero(F));
            s = dot16(high4(q), x, xOff + 16, s);
            FloatVector xs = sum16(x, xOff + 16, sum16(x, xOff, FloatVector.zero(F)));
            acc = addScaled(addScaled(acc, s, half(w, at)), xs, half(w, at + 2));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 20, dstOff += 32) {
            float d = half(w, at), m = half(w, at + 2);
            ByteVector q = load16(w, at + 4);
            VectorLanes.store16(low4(q), d, m, dst, dstOff);
            VectorLanes.store16(high4(q), d, m, dst, dstOff + 16);
        }
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q4_1_ref: d = (max - min)/15, m = min. */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float min = QuantMath.min(src, srcOff, 32), max = QuantMath.max(src, srcOff, 32);
        float d = (max - min) / 15;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        BlockBytes.putHalf(dst, at + 2, min);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) ((src[srcOff + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (byte) (int) ((src[srcOff + 16 + j] - min) * id + 0.5f));
            BlockBytes.put8(dst, at + 4 + j, q0 | (q1 << 4));
        }
    }
}
