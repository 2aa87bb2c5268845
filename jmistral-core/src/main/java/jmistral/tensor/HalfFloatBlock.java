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

    public boolean hasDot4Tokens() { return true; }

    /**
     * Fused 4-token dot ({@link BlockType#dot4Tokens}): each vector of LANES values is widened once
     * ({@link #load}) and feeds one FMA per token. The row is read through a slice starting at 0 (see
     * {@link Q8_0Block#dot4Tokens}).
     */
    public void dot4Tokens(MemorySegment w, long at, int n, float[] x, int x0, int x1, int x2, int x3, float[] out4) {
        MemorySegment row = w.asSlice(at, 2L * n);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector u = load(row, 2L * i);
            a0 = u.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = u.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            a2 = u.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            a3 = u.fma(FloatVector.fromArray(F, x, x3 + i), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = toFloat(row.get(BlockBytes.SHORT_LE, 2L * i));
            s0 += v * x[x0 + i];
            s1 += v * x[x1 + i];
            s2 += v * x[x2 + i];
            s3 += v * x[x3 + i];
        }
        out4[0] = s0;
        out4[1] = s1;
        out4[2] = s2;
        out4[3] = s3;
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
