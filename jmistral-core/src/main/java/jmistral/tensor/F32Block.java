package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** F32: plain little-endian floats (a "block" is one element). */
final class F32Block implements BlockType {
    static final F32Block INSTANCE = new F32Block();

    public GgmlType type() { return GgmlType.F32; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        dst[dstOff] = w.get(BlockBytes.FLOAT_LE, at);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, at + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = v.fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += w.get(BlockBytes.FLOAT_LE, at + 4L * i) * x[xOff + i];
        return s;
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int n) {
        MemorySegment.copy(w, BlockBytes.FLOAT_LE, at, dst, dstOff, n);
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        dst.set(BlockBytes.FLOAT_LE, at, src[srcOff]);
    }
}
