package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.q3kScale;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.I;
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

    public int sumsGroup() { return 16; }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        return dot(w, at, x, xOff, XSums.of(x, xOff, blocks * 256, 16), 0, blocks);
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}), given x's sums over
     * each 16 values ({@link XSums}). With c = q + 4 = low | high << 2 (0..7):
     * {@code sum_g d*s_g * (q_g . x_g) = sum_g d*s_g * (c_g . x_g) - 4d * sum_g s_g * sums16[g]}, so
     * the -4 costs one scalar FMA per group instead of a vector op per weight.
     *
     * <p>As in {@link Q2_KBlock#dot}, 16-byte load i (qs[16i ..], half h = i/2, k = i%2) holds the low
     * 2 bits of groups g = 8h + 2s + k at bits 2s; widened once to 32-bit lanes, group s is masked in
     * place (times 4^s). Its high bit, bit g/2 = 4h + s of hmask[16k ..], is shifted to bit 2s + 2 and
     * masked in, so c_g converts to 4^s * c_g; acc_s is scaled by 4^-s once at the end. The 16 scales
     * are unpacked once per block into two longs (llama.cpp's aux/kmask trick), byte g = s_g + 32.
     * The four loads are written out, not a loop (see {@link KScaleMinBlocks#dot}; here 3.6 -> 4.3 GB
     * per CPU-second on AVX-512).
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums16, int sumsOff, int blocks) {
        // acc_s: 4^s * d*s_g * c_g*x_g for the groups at bits 2s
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        float off0 = 0, off1 = 0, off2 = 0, off3 = 0; // d*s_g * sums16[g], split like acc_s (four add chains)
        ByteVector qb, hb; // one 16-byte load of qs (four groups' low bits, at bits 0, 2, 4, 6) and the hmask half with their high bits
        IntVector q, hm;   // those bytes sign-extended to 32-bit lanes (part p); hm >> 4h: group s's
                           // high bit at bit s, moved to bit 2s + 2 by << (s + 2); the masks keep bits from the byte only
        long sc;           // the load's four scales + 32, in bytes 0, 2, 4, 6
        float d0, d1, d2, d3;
        for (int b = 0; b < blocks; b++, at += 110, xOff += 256, sumsOff += 16) {
            float d = half(w, at + D);
            long a01 = BlockBytes.u64(w, at + SCALES);
            int a0 = (int) a01, a1 = (int) (a01 >>> 32), a2 = BlockBytes.u32(w, at + SCALES + 8);
            // the 16 six-bit scales + 32, group g in byte g: low 4 bits from the nibbles of scales[0..8), high 2 from scales[8..12)
            long scLo = ((a0 & 0x0F0F0F0F) | ((a2 & 0x03030303) << 4)) & 0xFFFFFFFFL
                    | (long) ((a1 & 0x0F0F0F0F) | (((a2 >>> 2) & 0x03030303) << 4)) << 32;
            long scHi = (((a0 >>> 4) & 0x0F0F0F0F) | (((a2 >>> 4) & 0x03030303) << 4)) & 0xFFFFFFFFL
                    | (long) (((a1 >>> 4) & 0x0F0F0F0F) | (((a2 >>> 6) & 0x03030303) << 4)) << 32;
            // load 0: qs[0, 16), groups 0, 2, 4, 6 at bits 0, 2, 4, 6 (x[32s ..]); high bits 0, 1, 2, 3 of hmask[0, 16); scales: bytes 0, 2, 4, 6 of scLo
            qb = ByteVector.fromMemorySegment(B16, w, at + QS, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + HMASK, LE);
            sc = scLo;
            d0 = d * (((int) sc & 0xFF) - 32);
            d1 = d * (((int) (sc >>> 16) & 0xFF) - 32);
            d2 = d * (((int) (sc >>> 32) & 0xFF) - 32);
            d3 = d * (((int) (sc >>> 48) & 0xFF) - 32);
            off0 += d0 * sums16[sumsOff];
            off1 += d1 * sums16[sumsOff + 2];
            off2 += d2 * sums16[sumsOff + 4];
            off3 += d3 * sums16[sumsOff + 6];
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                hm = ((IntVector) hb.convertShape(VectorOperators.B2I, I, p));
                int xp = xOff + p * LANES;
                acc0 = ((FloatVector) q.and(3).or(hm.lanewise(VectorOperators.LSHL, 2).and(4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).or(hm.lanewise(VectorOperators.LSHL, 3).and(4 << 2)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).or(hm.lanewise(VectorOperators.LSHL, 4).and(4 << 4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).or(hm.lanewise(VectorOperators.LSHL, 5).and(4 << 6)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 1: qs[16, 32), groups 1, 3, 5, 7 at bits 0, 2, 4, 6 (x[16 + 32s ..]); high bits 0, 1, 2, 3 of hmask[16, 32); scales: bytes 1, 3, 5, 7 of scLo
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 16, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + HMASK + 16, LE);
            sc = scLo >>> 8;
            d0 = d * (((int) sc & 0xFF) - 32);
            d1 = d * (((int) (sc >>> 16) & 0xFF) - 32);
            d2 = d * (((int) (sc >>> 32) & 0xFF) - 32);
            d3 = d * (((int) (sc >>> 48) & 0xFF) - 32);
            off0 += d0 * sums16[sumsOff + 1];
            off1 += d1 * sums16[sumsOff + 1 + 2];
            off2 += d2 * sums16[sumsOff + 1 + 4];
            off3 += d3 * sums16[sumsOff + 1 + 6];
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                hm = ((IntVector) hb.convertShape(VectorOperators.B2I, I, p));
                int xp = xOff + 16 + p * LANES;
                acc0 = ((FloatVector) q.and(3).or(hm.lanewise(VectorOperators.LSHL, 2).and(4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).or(hm.lanewise(VectorOperators.LSHL, 3).and(4 << 2)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).or(hm.lanewise(VectorOperators.LSHL, 4).and(4 << 4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).or(hm.lanewise(VectorOperators.LSHL, 5).and(4 << 6)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 2: qs[32, 48), groups 8, 10, 12, 14 at bits 0, 2, 4, 6 (x[128 + 32s ..]); high bits 4, 5, 6, 7 of hmask[0, 16); scales: bytes 0, 2, 4, 6 of scHi
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 32, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + HMASK, LE);
            sc = scHi;
            d0 = d * (((int) sc & 0xFF) - 32);
            d1 = d * (((int) (sc >>> 16) & 0xFF) - 32);
            d2 = d * (((int) (sc >>> 32) & 0xFF) - 32);
            d3 = d * (((int) (sc >>> 48) & 0xFF) - 32);
            off0 += d0 * sums16[sumsOff + 8];
            off1 += d1 * sums16[sumsOff + 8 + 2];
            off2 += d2 * sums16[sumsOff + 8 + 4];
            off3 += d3 * sums16[sumsOff + 8 + 6];
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                hm = ((IntVector) hb.convertShape(VectorOperators.B2I, I, p)).lanewise(VectorOperators.LSHR, 4);
                int xp = xOff + 128 + p * LANES;
                acc0 = ((FloatVector) q.and(3).or(hm.lanewise(VectorOperators.LSHL, 2).and(4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).or(hm.lanewise(VectorOperators.LSHL, 3).and(4 << 2)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).or(hm.lanewise(VectorOperators.LSHL, 4).and(4 << 4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).or(hm.lanewise(VectorOperators.LSHL, 5).and(4 << 6)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 3: qs[48, 64), groups 9, 11, 13, 15 at bits 0, 2, 4, 6 (x[144 + 32s ..]); high bits 4, 5, 6, 7 of hmask[16, 32); scales: bytes 1, 3, 5, 7 of scHi
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 48, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + HMASK + 16, LE);
            sc = scHi >>> 8;
            d0 = d * (((int) sc & 0xFF) - 32);
            d1 = d * (((int) (sc >>> 16) & 0xFF) - 32);
            d2 = d * (((int) (sc >>> 32) & 0xFF) - 32);
            d3 = d * (((int) (sc >>> 48) & 0xFF) - 32);
            off0 += d0 * sums16[sumsOff + 9];
            off1 += d1 * sums16[sumsOff + 9 + 2];
            off2 += d2 * sums16[sumsOff + 9 + 4];
            off3 += d3 * sums16[sumsOff + 9 + 6];
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                hm = ((IntVector) hb.convertShape(VectorOperators.B2I, I, p)).lanewise(VectorOperators.LSHR, 4);
                int xp = xOff + 144 + p * LANES;
                acc0 = ((FloatVector) q.and(3).or(hm.lanewise(VectorOperators.LSHL, 2).and(4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).or(hm.lanewise(VectorOperators.LSHL, 3).and(4 << 2)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).or(hm.lanewise(VectorOperators.LSHL, 4).and(4 << 4)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).or(hm.lanewise(VectorOperators.LSHL, 5).and(4 << 6)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
        }
        float sum = acc0.add(acc1.mul(1f / 4)).add(acc2.mul(1f / 16)).add(acc3.mul(1f / 64)).reduceLanes(VectorOperators.ADD);
        return sum - 4 * ((off0 + off1) + (off2 + off3));
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
