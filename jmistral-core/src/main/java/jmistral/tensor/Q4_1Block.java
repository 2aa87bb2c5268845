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

    /**
     * Vector dot = d * sum(q * x) + m * sum(x) per block (direct Vector API calls only, see
     * {@link KScaleMinBlocks#dot}): one 16-byte load of qs; lo = low nibbles (weights 0..15), hi = high
     * nibbles (16..31); s accumulates q*x and xs the x values themselves, each scaled once per block.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 20, xOff += 32) {
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 4, LE);
            ByteVector lo = qs.and((byte) 15);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
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

    /** Vector dequantization (prefill): the same lo, hi as {@link #dot}, stored as d*q + m. */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 20, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at)), m = FloatVector.broadcast(F, half(w, at + 2));
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 4, LE);
            ByteVector lo = qs.and((byte) 15);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(d, m).intoArray(dst, yp);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(d, m).intoArray(dst, yp + 16);
            }
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
