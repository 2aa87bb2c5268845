package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
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
 * IQ4_NL: 32 weights in 18 bytes: {@code half d; u8 qs[16]} (nibble order as Q4_0); each nibble
 * indexes a fixed non-linear table: y = d * KVALUES[nibble].
 */
final class IQ4_NLBlock implements BlockType {
    static final IQ4_NLBlock INSTANCE = new IQ4_NLBlock();

    /** llama.cpp kvalues_iq4nl. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final ByteVector KVALUES_VECTOR = ByteVector.fromArray(B16, KVALUES, 0);

    public GgmlType type() { return GgmlType.IQ4_NL; }

    /** Table values of 16 nibbles (a 16-entry byte shuffle). */
    static ByteVector lookup(ByteVector nibbles) {
        return nibbles.selectFrom(KVALUES_VECTOR);
    }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, at + 2 + j);
            dst[dstOff + j] = d * KVALUES[q & 15];
            dst[dstOff + j + 16] = d * KVALUES[q >> 4];
        }
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 18, xOff += 32) {
            ByteVector q = load16(w, at + 2);
            FloatVector s = dot16(lookup(low4(q)), x, xOff, FloatVector.zero(F));
            s = dot16(lookup(high4(q)), x, xOff + 16, s);
            acc = addScaled(acc, s, half(w, at));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
