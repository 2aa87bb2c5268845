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

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeQ6K(src, srcOff, dst, at);
    }
}
