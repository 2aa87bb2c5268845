package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u16;
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
 * IQ4_XS: 256 weights in 136 bytes: {@code half d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}.
 * 8 sub-blocks of 32, each laid out like an IQ4_NL block (16 bytes of nibbles into the same table),
 * with a 6-bit scale ls = 4 bits of scales_l[ib/2] (nibble ib%2) | 2 bits of scales_h (bits 2ib);
 * y = d * (ls - 32) * KVALUES[nibble].
 */
final class IQ4_XSBlock implements BlockType {
    static final IQ4_XSBlock INSTANCE = new IQ4_XSBlock();
    private static final long SCALES_H = 2, SCALES_L = 4, QS = 8;

    public GgmlType type() { return GgmlType.IQ4_XS; }

    /** Signed scale (ls - 32) of sub-block ib. */
    private static int scale(MemorySegment w, long at, int ib) {
        int low = (u8(w, at + SCALES_L + ib / 2) >> (4 * (ib % 2))) & 15;
        int high = (u16(w, at + SCALES_H) >> (2 * ib)) & 3;
        return (low | (high << 4)) - 32;
    }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int ib = 0; ib < 8; ib++) {
            float dl = d * scale(w, at, ib);
            for (int j = 0; j < 16; j++) {
                int q = u8(w, at + QS + 16 * ib + j);
                dst[dstOff + 32 * ib + j] = dl * IQ4_NLBlock.KVALUES[q & 15];
                dst[dstOff + 32 * ib + j + 16] = dl * IQ4_NLBlock.KVALUES[q >> 4];
            }
        }
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}). Per sub-block ib:
     * one 16-byte load of qs[16ib ..]; lo = table values of the low nibbles (x[32ib ..+16)), hi = of
     * the high nibbles (x[32ib+16 ..+16)), summed as q*x and scaled once by d*(ls-32). The 8 scales
     * come from one u16 (scales_h, 2 bits each) and one u32 (scales_l, a nibble each) per block.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 136, xOff += 256) {
            float d = half(w, at);
            int sh = u16(w, at + SCALES_H), sl = BlockBytes.u32(w, at + SCALES_L);
            for (int ib = 0; ib < 8; ib++, sh >>>= 2, sl >>>= 4) {
                ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * ib, LE);
                ByteVector lo = qs.and((byte) 15).selectFrom(IQ4_NLBlock.KVALUES_VECTOR);
                ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .selectFrom(IQ4_NLBlock.KVALUES_VECTOR);
                FloatVector s = FloatVector.zero(F);
                for (int p = 0; p < PARTS; p++) {
                    int xp = xOff + 32 * ib + p * LANES;
                    s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s);
                    s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s);
                }
                acc = s.fma(FloatVector.broadcast(F, d * (((sl & 15) | ((sh & 3) << 4)) - 32)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dequantization (prefill): per sub-block ib the same lo, hi (table values) as {@link #dot},
     * stored as dl*value with dl = d*(ls-32) (the reference's rounding: dl first, then the product).
     */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 136, dstOff += 256) {
            float d = half(w, at);
            int sh = u16(w, at + SCALES_H), sl = BlockBytes.u32(w, at + SCALES_L);
            for (int ib = 0; ib < 8; ib++, sh >>>= 2, sl >>>= 4) {
                FloatVector dl = FloatVector.broadcast(F, d * (((sl & 15) | ((sh & 3) << 4)) - 32));
                ByteVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * ib, LE);
                ByteVector lo = qs.and((byte) 15).selectFrom(IQ4_NLBlock.KVALUES_VECTOR);
                ByteVector hi = qs.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .selectFrom(IQ4_NLBlock.KVALUES_VECTOR);
                for (int p = 0; p < PARTS; p++) {
                    int yp = dstOff + 32 * ib + p * LANES;
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(dl).intoArray(dst, yp);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(dl).intoArray(dst, yp + 16);
                }
            }
        }
    }
}
