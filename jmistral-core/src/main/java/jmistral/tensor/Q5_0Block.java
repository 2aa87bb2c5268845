package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u32;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}): one 16-byte load of
     * qs per block; lo = low nibbles (weights 0..15) with 16 added in the lanes whose bit in qh[0..15]
     * is set (a mask from the u32 qh), hi = high nibbles (16..31) with qh bits 16..31; both minus 16,
     * summed as q*x and scaled by d once.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 22, xOff += 32) {
            int qh = u32(w, at + 2);
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 6, LE);
            ByteVector lo = qs.and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh & 0xFFFF)).sub((byte) 16);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh >>> 16)).sub((byte) 16);
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

    /** Vector dequantization (prefill): the same lo, hi as {@link #dot} (q - 16), stored as d*(q-16). */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 22, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            int qh = u32(w, at + 2);
            ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + 6, LE);
            ByteVector lo = qs.and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh & 0xFFFF)).sub((byte) 16);
            ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, qh >>> 16)).sub((byte) 16);
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp + 16);
            }
        }
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
