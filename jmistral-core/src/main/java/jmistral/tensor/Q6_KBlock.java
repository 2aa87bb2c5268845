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
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

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
        byte[] q = new byte[256];
        values(w, at, q);
        for (int i = 0; i < 256; i++) dst[dstOff + i] = groupScale(w, at, i / 16) * q[i];
    }

    /**
     * The block's 256 values q - 32 (-32..31) in weight order into q[0 .. 256). Per 128-weight half h, for l < 32,
     * weights l, l+32, l+64, l+96 take the low nibble of ql[l], of ql[l+32], the high nibble of ql[l], of ql[l+32],
     * and bits 0-1, 2-3, 4-5, 6-7 of qh[l].
     */
    static void values(MemorySegment w, long at, byte[] q) {
        for (int h = 0; h < 2; h++) {
            long ql = at + QL + 64 * h, qh = at + QH + 32 * h;
            for (int l = 0, y = 128 * h; l < 32; l++, y++) {
                int hb = u8(w, qh + l);
                q[y] = (byte) (((u8(w, ql + l) & 15) | ((hb & 3) << 4)) - 32);
                q[y + 32] = (byte) (((u8(w, ql + l + 32) & 15) | (((hb >> 2) & 3) << 4)) - 32);
                q[y + 64] = (byte) (((u8(w, ql + l) >> 4) | (((hb >> 4) & 3) << 4)) - 32);
                q[y + 96] = (byte) (((u8(w, ql + l + 32) >> 4) | (((hb >> 6) & 3) << 4)) - 32);
            }
        }
    }

    /** The scale of weights [16g, 16g + 16) of the block: d * scales[g] (an f16 times an int8: exact in f32). */
    static float groupScale(MemorySegment w, long at, int g) {
        return d(w, at) * scale(w, at, g);
    }

    /** The block's d (an f16). */
    static float d(MemorySegment w, long at) {
        return half(w, at + D);
    }

    /** The int8 scale of weights [16g, 16g + 16) of the block. */
    static byte scale(MemorySegment w, long at, int g) {
        return (byte) i8(w, at + SCALES + g);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        return dot(w, at, x, xOff, sumsGroup() == 0 ? null : XSums.of(x, xOff, blocks * 256, 16), 0, blocks);
    }

    /** With 16 lanes, {@link #dot16Arranged} takes the -32 offset from x's sums per 16 ({@link XSums}). */
    public int sumsGroup() { return arrangesX() ? 16 : 0; }

    /**
     * Plain-x dot: with 16 lanes, x arranged into a fresh array and {@link #dotArranged} (for tests and
     * one-off callers; matrix-vector products arrange x once for all rows), otherwise {@link #dotPlain}.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums16, int sumsOff, int blocks) {
        if (!arrangesX()) return dotPlain(w, at, x, xOff, blocks);
        float[] xa = new float[blocks * 256];
        arrangeX(x, xOff, xa, 0, blocks);
        return dotArranged(w, at, xa, 0, sums16, sumsOff, blocks);
    }

    /** With 16-lane vectors, {@link #dot16Arranged}'s x order ({@link #arrangeX16}). */
    public boolean arrangesX() { return LANES == 16; }

    public void arrangeX(float[] x, int xOff, float[] dst, int dstOff, int blocks) {
        if (arrangesX()) arrangeX16(x, xOff, dst, dstOff, blocks);
        else BlockType.super.arrangeX(x, xOff, dst, dstOff, blocks);
    }

    public float dotArranged(MemorySegment w, long at, float[] xa, int xaOff, float[] sums16, int sumsOff, int blocks) {
        return arrangesX() ? dot16Arranged(w, at, xa, xaOff, sums16, sumsOff, blocks) : dotPlain(w, at, xa, xaOff, blocks);
    }

    /**
     * The order in which {@link #dot16Arranged} reads x: per 256-weight block, x'[128h + 64n + 16k + i] =
     * x[128h + 64n + 32(i / 8) + 4(i % 8) + k] * 2^-8k for h, n < 2, k < 4, i < 16. Why: the kernel loads
     * ql[64h .. 64h + 64) as 16 int lanes (lane i: bytes 4i .. 4i+3) and takes nibble n of byte k of
     * every lane. By the layout, for lanes i < 8 that byte is ql[l], l = 4i + k, whose low / high nibble
     * is weight l / l + 64 of the half; for lanes i >= 8 it is ql[32 + l'], l' = 4(i - 8) + k, weights
     * l' + 32 / l' + 96. The kernel leaves each 6-bit value in place in its byte (q * 2^8k), so x'
     * carries 2^-8k (exact: a power of two, as in {@link KScaleMinBlocks#arrangeX4}).
     */
    static void arrangeX16(float[] x, int xOff, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, xOff += 256, dstOff += 256) {
            for (int h = 0; h < 2; h++) {
                for (int n = 0; n < 2; n++) {
                    for (int k = 0; k < 4; k++) {
                        // lanes i < 8: x[.. + 4i + k]; lanes 8 + i: x[.. + 32 + 4i + k] (no divisions in the loop)
                        int d = dstOff + 128 * h + 64 * n + 16 * k, src = xOff + 128 * h + 64 * n + k;
                        float f = BYTE_SCALE[k];
                        for (int i = 0; i < 8; i++) {
                            dst[d + i] = x[src + 4 * i] * f;
                            dst[d + 8 + i] = x[src + 32 + 4 * i] * f;
                        }
                    }
                }
            }
        }
    }

    /** 2^-8k: the factor on x' for byte k of an int lane ({@link #arrangeX16}). */
    private static final float[] BYTE_SCALE = {1, 0x1p-8f, 0x1p-16f, 0x1p-24f};

    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    /** qh[32h .. 32h + 32) of a block's 64 qh bytes (16 int lanes) into both halves of the vector: lanes i and i + 8 get qh[32h + 4i ..]. */
    private static final VectorShuffle<Integer> QH_HALF0 = LANES != 16 ? null : VectorShuffle.fromOp(I16, i -> i % 8);
    private static final VectorShuffle<Integer> QH_HALF1 = LANES != 16 ? null : VectorShuffle.fromOp(I16, i -> 8 + i % 8);
    /**
     * Where qh's 2 bits for a low nibble go: bits 0-1 (lanes 0..7, weights l) or 2-3 (lanes 8..15,
     * weights l + 32) of each byte, shifted left 4 or 2 to bits 4-5; for a high nibble bits 4-5
     * (weights l + 64) stay, bits 6-7 (l + 96) go right 2.
     */
    private static final IntVector QH_LOW_SHIFT = LANES != 16 ? null : IntVector.fromArray(I16, new int[] {4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2}, 0);
    private static final IntVector QH_HIGH_SHIFT = LANES != 16 ? null : IntVector.fromArray(I16, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2}, 0);
    /**
     * The scale of each lane: a block's 16 scales are those of its groups of 16 consecutive weights, so
     * in half h, lanes 0-3, 4-7, 8-11, 12-15 take scales 8h + 0, 1, 2, 3 (low nibbles: weights 0..15,
     * 16..31 of the half, then 32..47, 48..63) or 8h + 4, 5, 6, 7 (high nibbles, weights 64 .. 127).
     */
    private static final VectorShuffle<Float> SC_H0_LOW = scaleLanes(0), SC_H0_HIGH = scaleLanes(4), SC_H1_LOW = scaleLanes(8), SC_H1_HIGH = scaleLanes(12);

    private static VectorShuffle<Float> scaleLanes(int first) {
        return LANES != 16 ? null : VectorShuffle.fromOp(F, i -> first + i / 4);
    }

    /**
     * Q6_K row kernel for 16-lane float vectors against x in {@link #arrangeX16}'s order, with x's sums per
     * 16 (plain order). Per half h of a block: ql[64h ..) as 16 int lanes L and qh's 32 bytes of the half
     * in both vector halves H; the 6-bit values of all 4 bytes of a lane at once, C = (L & 0x0F0F0F0F) |
     * ((H << s) & 0x30303030) for the low nibbles and the same from L >>> 4 for the high ones; then per
     * byte k one mask in place, C & (0x3F << 8k) = q * 2^8k, an int-to-float conversion and an FMA with
     * x' (no byte widening, no per-weight subtract). Per 64 weights the sum is scaled once by the lanes'
     * scales (d * scales[], one shuffle), and the -32 is taken as 32 * sum_g d*scales[g] * sum16(x)_g,
     * one FMA per block. Measured through matvec (one thread, CPU time, builds of 6522c42 and this
     * alternated run by run, medians of 15 rounds): 128x4096 in L2 ({@code KernelProbe Q6_K matvec 128})
     * 15.1-18.2 against 11.3-12.8 GB per CPU-second (8 pairs); from DRAM ({@code KernelProbe Q6_K}, 8192x4096)
     * 11.7-16.0 against 11.5-12.5.
     */
    static float dot16Arranged(MemorySegment w, long at, float[] x, int xOff, float[] sums16, int sumsOff, int blocks) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, offset = acc0;
        IntVector ql, qh, h, c;
        FloatVector s;
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256, sumsOff += 16) {
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(B16, w, at + SCALES, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(half(w, at + D));
            offset = scales.fma(FloatVector.fromArray(F, sums16, sumsOff), offset);
            qh = IntVector.fromMemorySegment(I16, w, at + QH, LE);
            // half 0, low nibbles: weights 0..63 (lanes 0..7: ql[0..32) with qh bits 0-1, lanes 8..15: ql[32..64) with bits 2-3)
            ql = IntVector.fromMemorySegment(I16, w, at + QL, LE);
            h = qh.rearrange(QH_HALF0);
            c = ql.and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHL, QH_LOW_SHIFT).and(0x30303030));
            s = ((FloatVector) c.and(0x3F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff));
            s = ((FloatVector) c.and(0x3F00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 16), s);
            s = ((FloatVector) c.and(0x3F0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 32), s);
            s = ((FloatVector) c.and(0x3F000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 48), s);
            acc0 = s.fma(scales.rearrange(SC_H0_LOW), acc0);
            // half 0, high nibbles: weights 64..127 (qh bits 4-5, 6-7)
            c = ql.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHR, QH_HIGH_SHIFT).and(0x30303030));
            s = ((FloatVector) c.and(0x3F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 64));
            s = ((FloatVector) c.and(0x3F00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 80), s);
            s = ((FloatVector) c.and(0x3F0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 96), s);
            s = ((FloatVector) c.and(0x3F000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 112), s);
            acc1 = s.fma(scales.rearrange(SC_H0_HIGH), acc1);
            // half 1, low nibbles: weights 128..191 (ql[64..128), qh[32..64))
            ql = IntVector.fromMemorySegment(I16, w, at + QL + 64, LE);
            h = qh.rearrange(QH_HALF1);
            c = ql.and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHL, QH_LOW_SHIFT).and(0x30303030));
            s = ((FloatVector) c.and(0x3F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 128));
            s = ((FloatVector) c.and(0x3F00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 144), s);
            s = ((FloatVector) c.and(0x3F0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 160), s);
            s = ((FloatVector) c.and(0x3F000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 176), s);
            acc0 = s.fma(scales.rearrange(SC_H1_LOW), acc0);
            // half 1, high nibbles: weights 192..255
            c = ql.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(h.lanewise(VectorOperators.LSHR, QH_HIGH_SHIFT).and(0x30303030));
            s = ((FloatVector) c.and(0x3F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 192));
            s = ((FloatVector) c.and(0x3F00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 208), s);
            s = ((FloatVector) c.and(0x3F0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 224), s);
            s = ((FloatVector) c.and(0x3F000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 240), s);
            acc1 = s.fma(scales.rearrange(SC_H1_HIGH), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 32 * offset.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dot for 8- and 4-lane vectors (16 lanes: {@link #dot16Arranged}), a whole row in one C2 compilation unit (direct Vector API calls only, no helper
     * methods: see {@link KScaleMinBlocks#dot4} for why). Per block, four steps i (half h = i/2,
     * lanes l = 16*(i%2) .. +16) each load ql[l], ql[l+32] and qh[l] (16 bytes each) and form the 64
     * weights l, l+32, l+64, l+96 (+ 0..15) of the half, with scales is, is+2, is+4, is+6 (is = i%2).
     * The high 2 bits go to bits 4-5 by a 32-bit lane shift and a 0x30 mask (bits that cross a byte
     * border are masked off). Four accumulators, one per quarter, so FMAs do not wait on each other.
     */
    static float dotPlain(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256) {
            float d = half(w, at + D);
            // the scales as bytes of two longs (byte k: scale k, signed)
            long sc0 = BlockBytes.u64(w, at + SCALES), sc1 = BlockBytes.u64(w, at + SCALES + 8);
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, l = 16 * (i & 1);
                long sc = (h == 0 ? sc0 : sc1) >>> (8 * (i & 1)); // byte 2k: scale of quarter k
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
