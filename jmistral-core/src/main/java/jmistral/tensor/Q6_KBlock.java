package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.i8;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANE;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K: 256 weights in 210 bytes: {@code u8 ql[128]; u8 qh[64]; int8 scales[16]; half d}; 16 groups
 * of 16 with an 8-bit signed scale; y = d * scale * (q - 32), q = 4 low bits from ql | 2 high bits from qh.
 * Per 128-weight half h (ql += 64, qh += 32, scales += 8), for l < 32 (group is = l/16):
 * weights l, l+32, l+64, l+96 take the low nibble of ql[l], low nibble of ql[l+32], high nibble of
 * ql[l], high nibble of ql[l+32], and bits 0-1, 2-3, 4-5, 6-7 of qh[l]; scales is, is+2, is+4, is+6.
 */
final class Q6_KBlock implements BlockType {
    static final Q6_KBlock INSTANCE = new Q6_KBlock();
    private static final long QL = 0, QH = 128, SCALES = 192, D = 208;

    public GgmlType type() { return GgmlType.Q6_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D);
        for (int h = 0; h < 2; h++) {
            long ql = at + QL + 64 * h, qh = at + QH + 32 * h, sc = at + SCALES + 8 * h;
            int y = dstOff + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int hb = u8(w, qh + l);
                int q1 = ((u8(w, ql + l) & 15) | ((hb & 3) << 4)) - 32;
                int q2 = ((u8(w, ql + l + 32) & 15) | (((hb >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(w, ql + l) >> 4) | (((hb >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(w, ql + l + 32) >> 4) | (((hb >> 6) & 3) << 4)) - 32;
                dst[y + l] = d * i8(w, sc + is) * q1;
                dst[y + l + 32] = d * i8(w, sc + is + 2) * q2;
                dst[y + l + 64] = d * i8(w, sc + is + 4) * q3;
                dst[y + l + 96] = d * i8(w, sc + is + 6) * q4;
            }
        }
    }

    /**
     * Vector dot, a whole row in one C2 compilation unit (direct Vector API calls only, no helper
     * methods: see {@link KScaleMinBlocks#dot4} for why). Per block, four steps i (half h = i/2,
     * lanes l = 16*(i%2) .. +16) each load ql[l], ql[l+32] and qh[l] (16 bytes each) and form the 64
     * weights l, l+32, l+64, l+96 (+ 0..15) of the half, with scales is, is+2, is+4, is+6 (is = i%2).
     * The high 2 bits go to bits 4-5 by a 32-bit lane shift and a 0x30 mask (bits that cross a byte
     * border are masked off). Four accumulators, one per quarter, so FMAs do not wait on each other.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256) {
            float d = half(w, at + D);
            // other widths: the scales as bytes of two longs (byte k: scale k, signed)
            long sc0 = LANES == 16 ? 0 : BlockBytes.u64(w, at + SCALES), sc1 = LANES == 16 ? 0 : BlockBytes.u64(w, at + SCALES + 8);
            // 16 lanes: the block's 16 scales converted at once (d * scales[k] in lane k), and for step i
            // that vector moved down by 8h + i%2 lanes, so its scales k, k+2, k+4, k+6 sit in lanes 0, 2, 4, 6
            // and are broadcast by constant shuffles (C2 folds the LANES tests: one way is compiled)
            FloatVector all = LANES != 16 ? null : ((FloatVector) ByteVector.fromMemorySegment(B16, w, at + SCALES, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(d);
            FloatVector by1 = LANES != 16 ? null : all.slice(1), by8 = LANES != 16 ? null : all.slice(8),
                    by9 = LANES != 16 ? null : all.slice(9);
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, l = 16 * (i & 1);
                FloatVector s0, s1, s2, s3;
                if (LANES == 16) {
                    FloatVector sv = i == 0 ? all : i == 1 ? by1 : i == 2 ? by8 : by9;
                    s0 = sv.rearrange(LANE[0]);
                    s1 = sv.rearrange(LANE[2]);
                    s2 = sv.rearrange(LANE[4]);
                    s3 = sv.rearrange(LANE[6]);
                } else {
                    long sc = (h == 0 ? sc0 : sc1) >>> (8 * (i & 1)); // byte 2k: scale of quarter k
                    s0 = FloatVector.broadcast(F, d * (byte) sc);
                    s1 = FloatVector.broadcast(F, d * (byte) (sc >>> 16));
                    s2 = FloatVector.broadcast(F, d * (byte) (sc >>> 32));
                    s3 = FloatVector.broadcast(F, d * (byte) (sc >>> 48));
                }
                long ql = at + QL + 64 * h + l;
                ByteVector lo0 = ByteVector.fromMemorySegment(B16, w, ql, LE), lo1 = ByteVector.fromMemorySegment(B16, w, ql + 32, LE);
                IntVector hb = ByteVector.fromMemorySegment(B16, w, at + QH + 32 * h + l, LE).reinterpretAsInts();
                ByteVector q0 = lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q1 = lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q2 = lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q3 = lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                int x0 = xOff + 128 * h + l;
                for (int p = 0; p < PARTS; p++) {
                    int xp = x0 + p * LANES;
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).fma(FloatVector.fromArray(F, x, xp), a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).fma(FloatVector.fromArray(F, x, xp + 32), a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(s2).fma(FloatVector.fromArray(F, x, xp + 64), a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(s3).fma(FloatVector.fromArray(F, x, xp + 96), a3);
                }
            }
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dequantization (prefill): the same 64-weight steps as {@link #dot}, stored as d*scale*(q-32).
     * The unpacking is repeated here on purpose rather than shared through a helper: a helper returning
     * vectors is not inlined once C2's node budget is spent, and its vectors are then heap-allocated
     * (see {@link KScaleMinBlocks#dot}).
     */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        if (LANES == 16) {
            dequantize16(w, at, dst, dstOff, blocks);
            return;
        }
        for (int b = 0; b < blocks; b++, at += 210, dstOff += 256) {
            float d = half(w, at + D);
            long sc0 = BlockBytes.u64(w, at + SCALES), sc1 = BlockBytes.u64(w, at + SCALES + 8);
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, l = 16 * (i & 1);
                long sc = (h == 0 ? sc0 : sc1) >>> (8 * (i & 1));
                FloatVector s0 = FloatVector.broadcast(F, d * (byte) sc), s1 = FloatVector.broadcast(F, d * (byte) (sc >>> 16));
                FloatVector s2 = FloatVector.broadcast(F, d * (byte) (sc >>> 32)), s3 = FloatVector.broadcast(F, d * (byte) (sc >>> 48));
                long ql = at + QL + 64 * h + l;
                ByteVector lo0 = ByteVector.fromMemorySegment(B16, w, ql, LE), lo1 = ByteVector.fromMemorySegment(B16, w, ql + 32, LE);
                IntVector hb = ByteVector.fromMemorySegment(B16, w, at + QH + 32 * h + l, LE).reinterpretAsInts();
                ByteVector q0 = lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q1 = lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q2 = lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q3 = lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                int y = dstOff + 128 * h + l;
                for (int p = 0; p < PARTS; p++) {
                    int yp = y + p * LANES;
                    ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).intoArray(dst, yp);
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).intoArray(dst, yp + 32);
                    ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(s2).intoArray(dst, yp + 64);
                    ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(s3).intoArray(dst, yp + 96);
                }
            }
        }
    }

    /**
     * Dequantization for 16-lane float vectors (batched decode's weight panels, prefill): the block's
     * 16 scales widened and multiplied by d in one vector, each group's scale broadcast from it by a
     * register shuffle, the four 64-weight steps written out (no scalar conversions per group, no
     * loop bounds checks); otherwise as {@link #dequantize}.
     */
    private static void dequantize16(MemorySegment w, long at, float[] dst, int y, int blocks) {
        ByteVector lo0, lo1;
        IntVector hb;
        for (int b = 0; b < blocks; b++, at += 210, y += 256) {
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(B16, w, at + SCALES, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(half(w, at + D));
            // step 0: weights 0+0..15, +32, +64, +96 (ql[0..], ql[32..], qh[0..]), scales 0, 2, 4, 6
            lo0 = ByteVector.fromMemorySegment(B16, w, at + 0, LE);
            lo1 = ByteVector.fromMemorySegment(B16, w, at + 32, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + 128, LE).reinterpretAsInts();
            ((FloatVector) lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[0])).intoArray(dst, y + 0);
            ((FloatVector) lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[2])).intoArray(dst, y + 32);
            ((FloatVector) lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[4])).intoArray(dst, y + 64);
            ((FloatVector) lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[6])).intoArray(dst, y + 96);
            // step 1: weights 16+0..15, +32, +64, +96 (ql[16..], ql[48..], qh[16..]), scales 1, 3, 5, 7
            lo0 = ByteVector.fromMemorySegment(B16, w, at + 16, LE);
            lo1 = ByteVector.fromMemorySegment(B16, w, at + 48, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + 144, LE).reinterpretAsInts();
            ((FloatVector) lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[1])).intoArray(dst, y + 16);
            ((FloatVector) lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[3])).intoArray(dst, y + 48);
            ((FloatVector) lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[5])).intoArray(dst, y + 80);
            ((FloatVector) lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[7])).intoArray(dst, y + 112);
            // step 2: weights 128+0..15, +32, +64, +96 (ql[64..], ql[96..], qh[32..]), scales 8, 10, 12, 14
            lo0 = ByteVector.fromMemorySegment(B16, w, at + 64, LE);
            lo1 = ByteVector.fromMemorySegment(B16, w, at + 96, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + 160, LE).reinterpretAsInts();
            ((FloatVector) lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[8])).intoArray(dst, y + 128);
            ((FloatVector) lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[10])).intoArray(dst, y + 160);
            ((FloatVector) lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[12])).intoArray(dst, y + 192);
            ((FloatVector) lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[14])).intoArray(dst, y + 224);
            // step 3: weights 144+0..15, +32, +64, +96 (ql[80..], ql[112..], qh[48..]), scales 9, 11, 13, 15
            lo0 = ByteVector.fromMemorySegment(B16, w, at + 80, LE);
            lo1 = ByteVector.fromMemorySegment(B16, w, at + 112, LE);
            hb = ByteVector.fromMemorySegment(B16, w, at + 176, LE).reinterpretAsInts();
            ((FloatVector) lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[9])).intoArray(dst, y + 144);
            ((FloatVector) lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[11])).intoArray(dst, y + 176);
            ((FloatVector) lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[13])).intoArray(dst, y + 208);
            ((FloatVector) lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(scales.rearrange(LANE[15])).intoArray(dst, y + 240);
        }
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeQ6K(src, srcOff, dst, at);
    }
}
