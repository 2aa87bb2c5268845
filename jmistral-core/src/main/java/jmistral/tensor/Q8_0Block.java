package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.i8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.load16;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Q8_0: 32 weights in 34 bytes: {@code half d; int8 qs[32]}; y[j] = d * qs[j]. */
final class Q8_0Block implements BlockType {
    static final Q8_0Block INSTANCE = new Q8_0Block();

    public GgmlType type() { return GgmlType.Q8_0; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 32; j++) dst[dstOff + j] = d * i8(w, at + 2 + j);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 34, xOff += 32) {
            FloatVector s = dot16(load16(w, at + 2), x, xOff, FloatVector.zero(F));
            s = dot16(load16(w, at + 18), x, xOff + 16, s);
            acc = addScaled(acc, s, half(w, at));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 34, dstOff += 32) {
            float d = half(w, at);
            VectorLanes.store16(load16(w, at + 2), d, 0f, dst, dstOff);
            VectorLanes.store16(load16(w, at + 18), d, 0f, dst, dstOff + 16);
        }
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q8_0_ref: d = amax/127, q = roundf(x/d). */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float amax = Math.abs(QuantMath.signedAbsMax(src, srcOff, 32));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        for (int j = 0; j < 32; j++) BlockBytes.put8(dst, at + 2 + j, (int) QuantMath.roundHalfAway(src[srcOff + j] * id));
    }
}
