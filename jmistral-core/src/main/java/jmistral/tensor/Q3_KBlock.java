package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.q3kScale;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K: 256 weights in 110 bytes: {@code u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d}. 16 groups
 * of 16 with 6-bit signed scales ({@link BlockBytes#q3kScale}); y = d * s * (q - 4) where q = 2 low
 * bits (as Q2_K: half g/8, shift 2*((g%8)/2), bytes 16*(g%2)..) plus 4 when bit g/2 of hmask[l] is set.
 */
final class Q3_KBlock implements BlockType {
    static final Q3_KBlock INSTANCE = new Q3_KBlock();
    private static final long HMASK = 0, QS = 32, SCALES = 96, D = 108;

    public GgmlType type() { return GgmlType.Q3_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D);
        for (int g = 0; g < 16; g++) {
            float dl = d * q3kScale(w, at + SCALES, g);
            long q = at + QS + 32 * (g / 8) + 16 * (g % 2);
            long hm = at + HMASK + 16 * (g % 2);
            int shift = 2 * ((g % 8) / 2);
            int bit = g / 2;
            for (int l = 0; l < 16; l++) {
                int low = (u8(w, q + l) >> shift) & 3;
                int high = (u8(w, hm + l) >> bit) & 1;
                dst[dstOff + 16 * g + l] = dl * (low - (high != 0 ? 0 : 4));
            }
        }
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}). As in Q2_K, 16-byte
     * load i (qs[16i ..], half h = i/2, k = i%2) holds the low 2 bits of groups g = 8h + 2s + k at bits
     * 2s; their high bit is bit g/2 = 4h + s of hmask[16k ..], moved to bit 2 by 32-bit lane shifts and
     * a 4 mask. q = low | high - 4, summed as q*x and scaled once per group by d*scale.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 110, xOff += 256) {
            float d = half(w, at + D);
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, k = i & 1;
                IntVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * i, LE).reinterpretAsInts();
                IntVector hm = ByteVector.fromMemorySegment(B16, w, at + HMASK + 16 * k, LE).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, 4 * h);
                for (int s = 0; s < 4; s++) {
                    ByteVector q = qs.lanewise(VectorOperators.LSHR, 2 * s).reinterpretAsBytes().and((byte) 3)
                            .or(hm.lanewise(VectorOperators.LSHR, s).lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                            .sub((byte) 4);
                    int g = 8 * h + 2 * s + k;
                    FloatVector acc16 = FloatVector.zero(F);
                    for (int p = 0; p < PARTS; p++) {
                        acc16 = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xOff + 16 * g + p * LANES), acc16);
                    }
                    acc = acc16.fma(FloatVector.broadcast(F, d * q3kScale(w, at + SCALES, g)), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dequantization (prefill): the same q = low | high - 4 per group as {@link #dot}, stored as
     * (d*scale)*q. The 16 scales come from two reads (scales[0..8) as a long, scales[8..12) as an int)
     * instead of two bounds-checked byte reads per group ({@link BlockBytes#q3kScale}, the same bits).
     */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 110, dstOff += 256) {
            float d = half(w, at + D);
            long scLow = BlockBytes.u64(w, at + SCALES);      // group g: 4 bits at 8*(g%8) + 4*(g/8)
            int scHigh = BlockBytes.u32(w, at + SCALES + 8);  // group g: 2 bits at 8*(g%4) + 2*(g/4)
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, k = i & 1;
                IntVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * i, LE).reinterpretAsInts();
                IntVector hm = ByteVector.fromMemorySegment(B16, w, at + HMASK + 16 * k, LE).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, 4 * h);
                for (int s = 0; s < 4; s++) {
                    ByteVector q = qs.lanewise(VectorOperators.LSHR, 2 * s).reinterpretAsBytes().and((byte) 3)
                            .or(hm.lanewise(VectorOperators.LSHR, s).lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4))
                            .sub((byte) 4);
                    int g = 8 * h + 2 * s + k;
                    int scale = (((int) (scLow >>> (8 * (g & 7) + 4 * (g >> 3))) & 15) | (((scHigh >>> (8 * (g & 3) + 2 * (g >> 2))) & 3) << 4)) - 32;
                    FloatVector dl = FloatVector.broadcast(F, d * scale);
                    for (int p = 0; p < PARTS; p++) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(dl).intoArray(dst, dstOff + 16 * g + p * LANES);
                    }
                }
            }
        }
    }
}
