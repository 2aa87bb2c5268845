package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The two 16-bit float formats (F16, BF16): one element per "block", 2 bytes, little-endian.
 * They differ only in how 16 bits become a float, scalar ({@link #toFloat}) and vector ({@link #load}).
 */
abstract sealed class HalfFloatBlock implements BlockType permits F16Block, BF16Block {

    /** Scalar decoding of one value. */
    abstract float toFloat(short bits);

    /** Scalar encoding (round to nearest even). */
    abstract short fromFloat(float value);

    /** LANES values at {@code at} as a float vector. */
    abstract FloatVector load(MemorySegment w, long at);

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        dst[dstOff] = toFloat(w.get(BlockBytes.SHORT_LE, at));
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            acc = load(w, at + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += toFloat(w.get(BlockBytes.SHORT_LE, at + 2L * i)) * x[xOff + i];
        return s;
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) load(w, at + 2L * i).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = toFloat(w.get(BlockBytes.SHORT_LE, at + 2L * i));
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        dst.set(BlockBytes.SHORT_LE, at, fromFloat(src[srcOff]));
    }
}
