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
 * IQ4_NL: 32 weights in 18 bytes: {@code half d; u8 qs[16]} (nibble order as Q4_0); each nibble
 * indexes a fixed non-linear table: y = d * KVALUES[nibble].
 */
final class IQ4_NLBlock implements BlockType {
    static final IQ4_NLBlock INSTANCE = new IQ4_NLBlock();

    /** llama.cpp kvalues_iq4nl. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** KVALUES as a 16-byte vector: {@code nibbles.selectFrom(KVALUES_VECTOR)} looks 16 nibbles up (one byte shuffle). */
    static final ByteVector KVALUES_VECTOR = ByteVector.fromArray(B16, KVALUES, 0);

    public GgmlType type() { return GgmlType.IQ4_NL; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, at + 2 + j);
            dst[dstOff + j] = d * KVALUES[q & 15];
            dst[dstOff + j + 16] = d * KVALUES[q >> 4];
        }
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}): one 16-byte load of
     * qs per block; lo = table values of the low nibbles (weights 0..15), hi = of the high nibbles
     * (16..31), summed as q*x and scaled by d once.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 18, xOff += 32) {
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector lo = qs.and((byte) 15).selectFrom(KVALUES_VECTOR);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15).selectFrom(KVALUES_VECTOR);
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

    /** Vector dequantization (prefill): the same lo, hi (table values) as {@link #dot}, stored as d*value. */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 18, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector lo = qs.and((byte) 15).selectFrom(KVALUES_VECTOR);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15).selectFrom(KVALUES_VECTOR);
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp + 16);
            }
        }
    }
}
