package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u32;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.addScaled;
import static jmistral.tensor.VectorLanes.dot16;
import static jmistral.tensor.VectorLanes.high4;
import static jmistral.tensor.VectorLanes.load16;
import static jmistral.tensor.VectorLanes.low4;
import static jmistral.tensor.VectorLanes.withBit4;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_0: 32 weights in 22 bytes: {@code half d; u8 qh[4]; u8 qs[16]}. The 5-bit value of weight j is
 * its nibble (low nibbles: 0..15, high nibbles: 16..31, as Q4_0) plus bit j of qh (a LE u32) as
 * bit 4; y = d * (q - 16).
 */
final class Q5_0Block implements BlockType {
    static final Q5_0Block INSTANCE = new Q5_0Block();

    public GgmlType type() { return GgmlType.Q5_0; }

    /** The 5-bit value (0..31) of weight j of a block whose qh is at {@code qhAt} and qs at {@code qsAt}. */
    static int fiveBits(MemorySegment w, long qhAt, long qsAt, int j) {
        int qh = u32(w, qhAt);
        int nibble = j < 16 ? u8(w, qsAt + j) & 15 : u8(w, qsAt + j - 16) >> 4;
        return nibble | (((qh >>> j) & 1) << 4);
    }

    /** Low (weights 0..15) or high (16..31) 16 values as bytes 0..31: nibbles plus the qh bits. */
    static ByteVector fiveBitLanes(ByteVector qs, int qh, boolean high) {
        return high ? withBit4(high4(qs), qh >>> 16) : withBit4(low4(qs), qh);
    }

    /** Writes 32 five-bit values as qh (LE u32) and qs nibbles. */
    static void putFiveBits(int[] q, MemorySegment dst, long qhAt, long qsAt) {
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            BlockBytes.put8(dst, qsAt + j, (q[j] & 15) | ((q[j + 16] & 15) << 4));
            qh |= ((q[j] >> 4) & 1) << j;
            qh |= ((q[j + 16] >> 4) & 1) << (j + 16);
        }
        dst.set(BlockBytes.INT_LE, qhAt, qh);
    }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 32; j++) dst[dstOff + j] = d * (fiveBits(w, at + 2, at + 6, j) - 16);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 22, xOff += 32) {
            int qh = u32(w, at + 2);
            ByteVector qs = load16(w, at + 6);
            FloatVector s = dot16(fiveBitLanes(qs, qh, false).sub((byte) 16), x, xOff, FloatVector.zero(F));
            s = dot16(fiveBitLanes(qs, qh, true).sub((byte) 16), x, xOff + 16, s);
            acc = addScaled(acc, s, half(w, at));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q5_0_ref: d = max/-16. */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float max = QuantMath.signedAbsMax(src, srcOff, 32);
        float d = max / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = Math.min(31, (byte) (int) (src[srcOff + j] * id + 16.5f));
        putFiveBits(q, dst, at + 2, at + 6);
    }
}
