package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.kScaleMin;
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
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * What Q4_K and Q5_K share: a 256-weight super-block {@code half d, dmin; u8 scales[12]; [u8 qh[32];]
 * u8 qs[128]} of 8 sub-blocks of 32, each with a 6-bit scale sc and min m ({@link BlockBytes#kScaleMin});
 * y = d*sc*q - dmin*m. The 4-bit part q of 64-weight chunk n lives in qs[32n .. 32n+32): low nibbles
 * are sub-block 2n, high nibbles sub-block 2n+1. Q5_K adds bit 4 from qh[l]: bit 2n for the low
 * nibble, bit 2n+1 for the high one.
 */
final class KScaleMinBlocks {
    private KScaleMinBlocks() {}

    static final long SCALES = 4;

    /**
     * Where a format's parts sit in its super-block: the high-bit bytes qh (Q5_K; {@link #NO_HIGH_BITS}
     * for Q4_K), the nibbles qs, and the block's size.
     */
    record Layout(long qhOff, long qsOff, int blockBytes) {
        boolean hasHighBits() { return qhOff != NO_HIGH_BITS; }
    }

    /** {@link Layout#qhOff()} of a format without high bits. */
    static final long NO_HIGH_BITS = -1;
    /** Q4_K: {@code half d, dmin; u8 scales[12]; u8 qs[128]}. */
    static final Layout Q4_K = new Layout(NO_HIGH_BITS, 16, 144);
    /** Q5_K: {@code half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}. */
    static final Layout Q5_K = new Layout(16, 48, 176);

    /** Reference dequantization of the super-block at {@code at}. */
    static void dequantizeBlock(MemorySegment w, long at, Layout layout, float[] dst, int dstOff) {
        long qsAt = at + layout.qsOff(), qhAt = at + layout.qhOff();
        float d = half(w, at), dmin = half(w, at + 2);
        for (int n = 0; n < 4; n++) {
            int sm0 = kScaleMin(w, at + SCALES, 2 * n), sm1 = kScaleMin(w, at + SCALES, 2 * n + 1);
            float d0 = d * (sm0 & 0xFF), m0 = dmin * (sm0 >> 8);
            float d1 = d * (sm1 & 0xFF), m1 = dmin * (sm1 >> 8);
            for (int l = 0; l < 32; l++) {
                int q = u8(w, qsAt + 32 * n + l);
                int h = layout.hasHighBits() ? u8(w, qhAt + l) : 0;
                int lo = (q & 15) | (((h >> (2 * n)) & 1) << 4);
                int hi = (q >> 4) | (((h >> (2 * n + 1)) & 1) << 4);
                dst[dstOff + 64 * n + l] = d0 * lo - m0;
                dst[dstOff + 64 * n + 32 + l] = d1 * hi - m1;
            }
        }
    }

    /**
     * The 8 six-bit scales (or, with {@code mins}, the 8 mins) of a super-block as the 8 bytes of a long,
     * sub-block j in byte j: three 32-bit reads and masks (llama.cpp's utmp/kmask trick), the same
     * values as {@link BlockBytes#kScaleMin} without 16 bounds-checked byte reads per block.
     */
    static long packedScales(MemorySegment w, long scalesAt, boolean mins) {
        return packedScales(BlockBytes.u32(w, scalesAt), BlockBytes.u32(w, scalesAt + 4), BlockBytes.u32(w, scalesAt + 8), mins);
    }

    /** {@link #packedScales(MemorySegment, long, boolean)} from the 12 scale bytes already read as three little-endian ints. */
    static long packedScales(int u0, int u1, int u2, boolean mins) {
        int low, high;
        if (!mins) {
            low = u0 & 0x3F3F3F3F;
            high = (u2 & 0x0F0F0F0F) | (((u0 >>> 6) & 0x03030303) << 4);
        } else {
            low = u1 & 0x3F3F3F3F;
            high = ((u2 >>> 4) & 0x0F0F0F0F) | (((u1 >>> 6) & 0x03030303) << 4);
        }
        return (low & 0xFFFFFFFFL) | ((long) high << 32);
    }

    /**
     * Vector dot of {@code blocks} super-blocks with x[xOff ..], given x's sums over each 32 values
     * ({@link XSums}, {@link BlockType#sumsGroup()} 32; sums32[sumsOff ..]): {@link #dot4} (Q4_K; with 16 lanes Q4_K
     * runs {@link #dot4Arranged} on x in its own order instead) or {@link #dot5} (Q5_K).
     *
     * <p>Per sub-block j, {@code sum_i (d*sc_j*q_i - dmin*m_j) * x_i = d*sc_j * sum_i q_i*x_i - dmin*m_j * sums32[j]}:
     * the kernels accumulate {@code q*x} in registers, scale once per sub-block, and take the min term
     * from the sums (one multiply per 32 weights instead of an FMA per weight).
     *
     * <p>How the kernels are written, and why (measured with KernelProbe and the disassembly):
     * <ul>
     * <li>One method per format calling the Vector API directly, no helper methods: C2 stops inlining
     *     ordinary methods once one compilation has created NodeCountInliningCutoff (18000) nodes, and
     *     each Vector API call parses into hundreds. Vector API methods themselves are @ForceInline
     *     and are inlined late, but a helper of ours past the cutoff stays a real call and boxes its
     *     vectors (one allocation per op, 10-50x slower; KernelProbe shows it as alloc/call).</li>
     * <li>The four 64-weight chunks of a super-block are written out, not a 4-trip loop: C2 does not
     *     unroll a loop body this large (LoopUnrollLimit), and inside the rolled loop every 16-byte
     *     load kept its own segment bounds, liveness and class checks (~25 instructions for ~5 of
     *     arithmetic). Written out, Q4_K went from 6.5 to 8-9 GB per CPU-second.</li>
     * <li>The 16-lane kernels ({@link #dot4Arranged}, {@link #dot5x16}) are separate methods rather than
     *     {@code LANES == 16} branches inside dot4/dot5: merged that way, dot5 passed C2's node budget
     *     and boxed every vector (0.05 GB per CPU-second), even though C2 folds the constant test.</li>
     * </ul>
     */
    static float dot(MemorySegment w, long at, Layout layout, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        long qhOff = layout.qhOff(), qsOff = layout.qsOff();
        int blockBytes = layout.blockBytes();
        if (!layout.hasHighBits()) { // Q4_K with 16 lanes: dot4Arranged (Q4_KBlock#dotArranged)
            return dot4(w, at, qsOff, blockBytes, x, xOff, sums32, sumsOff, blocks);
        }
        return LANES == 16 ? dot5x16(w, at, qhOff, qsOff, blockBytes, x, xOff, sums32, sumsOff, blocks)
                : dot5(w, at, qhOff, qsOff, blockBytes, x, xOff, sums32, sumsOff, blocks);
    }

    /** sum over sub-blocks j of m_j * sums32[sumsOff + j], m_j the 8 six-bit mins packed in a long ({@link #packedScales}). */
    static float minsTimesSums(long mins, float[] sums32, int sumsOff) {
        return (mins & 0xFF) * sums32[sumsOff] + ((mins >>> 8) & 0xFF) * sums32[sumsOff + 1]
                + ((mins >>> 16) & 0xFF) * sums32[sumsOff + 2] + ((mins >>> 24) & 0xFF) * sums32[sumsOff + 3]
                + ((mins >>> 32) & 0xFF) * sums32[sumsOff + 4] + ((mins >>> 40) & 0xFF) * sums32[sumsOff + 5]
                + ((mins >>> 48) & 0xFF) * sums32[sumsOff + 6] + ((mins >>> 56) & 0xFF) * sums32[sumsOff + 7];
    }

    /** Lanes 0..7 of a 16-lane vector. */
    static final VectorMask<Float> LOW8 = VectorMask.fromLong(F, 0xFFL);

    /**
     * The order in which {@link #dot4Arranged} reads x ({@link BlockType#arrangeX}): per 256-weight
     * super-block, x'[128g + 64n + 16k + i] = x[128g + 32n + 4(i % 8) + k + 64(i / 8)] for g, n < 2,
     * k < 4, i < 16. Why: the kernel loads qs[64g .. 64g + 64) as 16 int lanes, lane i holding bytes
     * 4i .. 4i+3, and takes nibble n of byte k of every lane with one shift and mask, {@code (v >>> (8k + 4n)) & 15}:
     * lanes 0..7 are then bytes 4i + k of chunk 2g (qs[64g .. 64g + 32), sub-block 4g + n, weights
     * 4i + k), lanes 8..15 the same bytes of chunk 2g + 1 (sub-block 4g + 2 + n). x' puts beside each
     * lane the x of its weight, so the kernel reads x' contiguously. And x' carries the factor 2^-(8k + 4n)
     * ({@link #NIBBLE_SCALE}): the kernel masks each nibble in place, {@code v & (15 << (8k + 4n))} = q * 2^(8k + 4n)
     * (exact as a float: 4 significant bits), one integer op per 16 weights instead of a shift and a mask.
     * Scaling by a power of two is exact, so each product q * x and every sum is the same float as
     * without the factors (unless |x| < 2^-98, where x' would lose bits to subnormals).
     */
    /**
     * 2^-(8k + 4n), the factor on x' for nibble n of byte k ({@link #arrangeX4}), 1 for the top nibble (k = 3,
     * n = 1, which the kernel shifts down rather than masks: masked in place it would be the sign bit).
     */
    private static final float[] NIBBLE_SCALE = {1, 0x1p-8f, 0x1p-16f, 0x1p-24f, 0x1p-4f, 0x1p-12f, 0x1p-20f, 1};

    static void arrangeX4(float[] x, int xOff, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, xOff += 256, dstOff += 256) {
            for (int g = 0; g < 2; g++) {
                for (int n = 0; n < 2; n++) {
                    for (int k = 0; k < 4; k++) {
                        // lanes i < 8: x[.. + 4i + k]; lanes 8 + i: x[.. + 64 + 4i + k] (no divisions in the loop: this runs once per matvec over all cols)
                        int d = dstOff + 128 * g + 64 * n + 16 * k, src = xOff + 128 * g + 32 * n + k;
                        float f = NIBBLE_SCALE[4 * n + k];
                        for (int i = 0; i < 8; i++) {
                            dst[d + i] = x[src + 4 * i] * f;
                            dst[d + 8 + i] = x[src + 64 + 4 * i] * f;
                        }
                    }
                }
            }
        }
    }

    /** 16-lane shuffles: lanes 0..7 take lane 8 + a of the scale vector, lanes 8..15 lane 8 + a + 2 (sub-blocks a, a + 2). */
    static final VectorShuffle<Float> SC_0_2 = scalePair(0), SC_1_3 = scalePair(1), SC_4_6 = scalePair(4), SC_5_7 = scalePair(5);

    private static VectorShuffle<Float> scalePair(int a) {
        return LANES != 16 ? null : VectorShuffle.fromOp(F, i -> i < 8 ? 8 + a : 10 + a);
    }

    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;

    /*
     * The 8 mins and 8 scales of a block from its bytes 0..15 (d, dmin, scales[12] at 4..15) in int lanes,
     * lane L = m_L (L < 8) or sc_(L-8), as {@link BlockBytes#kScaleMin}: for j < 4, sc_j = scales[j] & 63,
     * m_j = scales[j+4] & 63; for j >= 4, sc_j = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4, m_j =
     * (scales[j+4] >> 4) | (scales[j] >> 6) << 4. Per lane: ((byte LOW >>> LOW_SHIFT) & LOW_MASK) |
     * ((byte HIGH >>> 2) & HIGH_MASK).
     */
    private static final VectorShuffle<Integer> SM_LOW_BYTE = LANES != 16 ? null
            : VectorShuffle.fromValues(I16, 8, 9, 10, 11, 12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15);
    private static final VectorShuffle<Integer> SM_HIGH_BYTE = LANES != 16 ? null
            : VectorShuffle.fromValues(I16, 0, 0, 0, 0, 8, 9, 10, 11, 0, 0, 0, 0, 4, 5, 6, 7);
    private static final IntVector SM_LOW_SHIFT = LANES != 16 ? null
            : IntVector.fromArray(I16, new int[] {0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
    private static final IntVector SM_LOW_MASK = LANES != 16 ? null
            : IntVector.fromArray(I16, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final IntVector SM_HIGH_MASK = LANES != 16 ? null
            : IntVector.fromArray(I16, new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);

    /**
     * Q4_K row kernel for 16-lane float vectors against x in {@link #arrangeX4}'s order (same sums of
     * x as {@link #dot}: a sub-block's sum does not depend on the order). Per super-block:
     * <ul>
     * <li>the 8 mins and 8 scales from one 16-byte load of the block's head widened to int lanes, two
     *     lane shuffles, a variable shift and masks ({@link #SM_LOW_BYTE}), converted and times
     *     [dmin x8 | d x8] in one vector {@code scaleMin} = [dmin*m_0..7 | d*sc_0..7]; the min term
     *     one masked FMA of it with x's sums per block;</li>
     * <li>qs as two 64-byte loads of 16 int lanes; each of the 8 nibble positions of a lane is one
     *     mask in place ({@code v & (15 << s)}, the top one a shift {@code v >>> 28}; x' carries the
     *     2^-s) and an int-to-float conversion, all within 32-bit lanes: no byte-to-int widening
     *     (vpmovzxbd, a shuffle per 16 weights);</li>
     * <li>per 64-weight group (nibble n of qs[64g ..), sub-blocks 4g + n and 4g + 2 + n in lanes 0..7
     *     and 8..15) the 4 products summed, then scaled once by [d*sc_a x8 | d*sc_b x8] (one shuffle
     *     of scaleMin).</li>
     * </ul>
     * Measured through matvec (one thread, CPU time, builds of 6522c42 and this alternated run by run:
     * 128x4096 in L2, medians of 15 rounds; {@code KernelProbe Q4_K matvec 128} runs the same): 9.3-12.0 against
     * 10.3-11.6 GB per CPU-second, ahead in 3 of 5 pairs (-9% to +14%): about even; from DRAM ({@code KernelProbe Q4_K}, 8192x4096) 9.0-12.0 against
     * 8.3-12.3, even (one thread reading one stream of rows is near what this machine's memory gives
     * a core). A test-scope A/B that called both kernels from its own main loop had shown the scalar
     * scale unpacking to take a third of the old kernel's time (17 GB/cpu-s in L1 with constant
     * scales) and the new kernel 10-18% ahead in L1, but C2 compiled kernels inlined there unlike the
     * matvec path, so only the matvec numbers above count. A two-row version (rows r and r + rows/2
     * at once, as Q8_0's dot2Rows) was slower from DRAM there (8.2-9.9 against 10.4 GB/cpu-s). Q5_K
     * the same way (dot5Arranged, the fifth bit moved to bit 4 of each byte by a variable shift) was
     * 2-7% behind dot5x16 in L2 and even from DRAM, and was reverted.
     */
    static float dot4Arranged(MemorySegment w, long at, long qsOff, int blockBytes, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0; // scaled q*x of the low / high nibbles
        // The min term costs a quarter of this kernel (one thread, alternated in one JVM: 31-34 cycles per
        // block with it, 23-25 without); as lanes 0..7 of scaleMin reinterpreted as an 8-lane vector times an
        // 8-lane load of the sums it took 26-29, but a JVM whose kernels use both 16- and 8-lane float vectors
        // had C2 box the Q3_K and Q5_K kernels (KernelAllocationTest: 2 failures in 10 runs, none in 9
        // without), which Q3_K_M models (Q3_K, Q4_K and Q5_K) would hit; a blend to zero lanes 8..15 and an
        // unmasked load was no faster than the masked load. Pairing blocks (one unmasked 16-lane load of two
        // blocks' sums) read 3-10% faster in a one-JVM harness, but bench --profile read w_gate/w_up 40-50% slower
        // in three alternated pairs (the Q6_K matrices unchanged); same-code pairs later differed by up to 20%, so
        // that may be partly noise. Not kept: a change here needs a longer end-to-end A/B than the harness.
        FloatVector minTerm = acc0;
        IntVector v0, v1;
        FloatVector s;
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256, sumsOff += 8) {
            // the block's first 16 bytes (d, dmin, scales[12]) as int lanes (sign-extended: the masks below
            // keep only bits 0-7), unpacked into [m_0..7 | sc_0..7] by two lane shuffles, shifts and masks
            IntVector head = (IntVector) ByteVector.fromMemorySegment(B16, w, at, LE).convertShape(VectorOperators.B2I, I16, 0);
            int dd = ByteVector.fromMemorySegment(B16, w, at, LE).reinterpretAsInts().lane(0);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            IntVector sm = head.rearrange(SM_LOW_BYTE).lanewise(VectorOperators.LSHR, SM_LOW_SHIFT).and(SM_LOW_MASK)
                    .or(head.rearrange(SM_HIGH_BYTE).lanewise(VectorOperators.LSHR, 2).and(SM_HIGH_MASK));
            FloatVector scaleMin = ((FloatVector) sm.convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F, d).blend(dmin, LOW8));
            minTerm = scaleMin.fma(FloatVector.fromArray(F, sums32, sumsOff, LOW8), minTerm);
            long qs = at + qsOff;
            v0 = IntVector.fromMemorySegment(I16, w, qs, LE);
            v1 = IntVector.fromMemorySegment(I16, w, qs + 64, LE);
            // qs[0, 64), low nibbles: sub-blocks 0 (lanes 0..7) and 2 (lanes 8..15); nibble k of each lane masked in place (q * 2^8k)
            s = ((FloatVector) v0.and(0xF).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff));
            s = ((FloatVector) v0.and(0xF00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 16), s);
            s = ((FloatVector) v0.and(0xF0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 32), s);
            s = ((FloatVector) v0.and(0xF000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 48), s);
            acc0 = s.fma(scaleMin.rearrange(SC_0_2), acc0);
            // qs[0, 64), high nibbles: sub-blocks 1 and 3 (q * 2^(8k+4); the last one shifted down, as a mask would leave the sign bit)
            s = ((FloatVector) v0.and(0xF0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 64));
            s = ((FloatVector) v0.and(0xF000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 80), s);
            s = ((FloatVector) v0.and(0xF00000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 96), s);
            s = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 112), s);
            acc1 = s.fma(scaleMin.rearrange(SC_1_3), acc1);
            // qs[64, 128), low nibbles: sub-blocks 4 and 6
            s = ((FloatVector) v1.and(0xF).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 128));
            s = ((FloatVector) v1.and(0xF00).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 144), s);
            s = ((FloatVector) v1.and(0xF0000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 160), s);
            s = ((FloatVector) v1.and(0xF000000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 176), s);
            acc0 = s.fma(scaleMin.rearrange(SC_4_6), acc0);
            // qs[64, 128), high nibbles: sub-blocks 5 and 7
            s = ((FloatVector) v1.and(0xF0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xOff + 192));
            s = ((FloatVector) v1.and(0xF000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 208), s);
            s = ((FloatVector) v1.and(0xF00000).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 224), s);
            s = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOff + 240), s);
            acc1 = s.fma(scaleMin.rearrange(SC_5_7), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - minTerm.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q5_K row kernel for 16-lane float vectors: the block's 8 mins and 8 scales widened and scaled in one
     * vector {@code scaleMin} = [dmin*m_0..7 | d*sc_0..7], each sub-block's scale broadcast from it by a
     * register shuffle, the min term one masked FMA with x's sums per block; bit 4 from qh as in {@link #dot5}.
     */
    private static float dot5x16(MemorySegment w, long at, long qhOff, long qsOff, int blockBytes, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        FloatVector even = FloatVector.zero(F), odd = even, minTerm = even;
        ByteVector q0, q1, h0, h1;
        IntVector hb0, hb1;
        FloatVector s0, s1;
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256, sumsOff += 8) {
            int dd = BlockBytes.u32(w, at);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int u0 = BlockBytes.u32(w, at + SCALES), u1 = BlockBytes.u32(w, at + SCALES + 4), u2 = BlockBytes.u32(w, at + SCALES + 8);
            ByteVector packed = LongVector.zero(LongVector.SPECIES_128).withLane(0, packedScales(u0, u1, u2, true))
                    .withLane(1, packedScales(u0, u1, u2, false)).reinterpretAsBytes();
            FloatVector scaleMin = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.broadcast(F, d).blend(dmin, LOW8));
            minTerm = scaleMin.fma(FloatVector.fromArray(F, sums32, sumsOff, LOW8), minTerm);
            IntVector qh0 = ByteVector.fromMemorySegment(B16, w, at + qhOff, LE).reinterpretAsInts();
            IntVector qh1 = ByteVector.fromMemorySegment(B16, w, at + qhOff + 16, LE).reinterpretAsInts();
            long qs = at + qsOff;
            // chunk 0: as in dot4, plus bit 0 (low nibbles) and bit 1 (high nibbles) of qh as bit 4
            hb0 = qh0;
            hb1 = qh1;
            q0 = ByteVector.fromMemorySegment(B16, w, qs, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 16, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 0));
            s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 16), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 32));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 48), s1);
            even = s0.fma(scaleMin.rearrange(LANE[8]), even);
            odd = s1.fma(scaleMin.rearrange(LANE[9]), odd);
            // chunk 1: as in dot4, plus bit 2 (low nibbles) and bit 3 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 2);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 2);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 32, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 48, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 64));
            s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 80), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 96));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 112), s1);
            even = s0.fma(scaleMin.rearrange(LANE[10]), even);
            odd = s1.fma(scaleMin.rearrange(LANE[11]), odd);
            // chunk 2: as in dot4, plus bit 4 (low nibbles) and bit 5 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 4);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 4);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 64, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 80, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 128));
            s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 144), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 160));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 176), s1);
            even = s0.fma(scaleMin.rearrange(LANE[12]), even);
            odd = s1.fma(scaleMin.rearrange(LANE[13]), odd);
            // chunk 3: as in dot4, plus bit 6 (low nibbles) and bit 7 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 6);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 6);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 96, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 112, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 192));
            s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 208), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 224));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 240), s1);
            even = s0.fma(scaleMin.rearrange(LANE[14]), even);
            odd = s1.fma(scaleMin.rearrange(LANE[15]), odd);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD) - minTerm.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_K row kernel. Per chunk n (64 weights, qs[32n, 32n+32)): one 16-byte load per 32 nibbles,
     * low nibbles (sub-block 2n) summed into s0 and high ones (2n+1) into s1 as q*x, then each scaled
     * once into the even/odd accumulator; one reduction per row.
     */
    static float dot4(MemorySegment w, long at, long qsOff, int blockBytes, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        FloatVector even = FloatVector.zero(F), odd = even; // scaled q*x of the even / odd sub-blocks
        float minTerm = 0;                                  // sum of dmin * m_j * sums32[j]
        ByteVector q0, q1, h0, h1;
        FloatVector s0, s1;
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256, sumsOff += 8) {
            // 4 scalar reads per block: d and dmin, then the 12 scale bytes
            int dd = BlockBytes.u32(w, at);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int u0 = BlockBytes.u32(w, at + SCALES), u1 = BlockBytes.u32(w, at + SCALES + 4), u2 = BlockBytes.u32(w, at + SCALES + 8);
            long sc = packedScales(u0, u1, u2, false);
            minTerm += dmin * minsTimesSums(packedScales(u0, u1, u2, true), sums32, sumsOff);
            long qs = at + qsOff;
            // chunk 0: qs[0, 32); low nibbles = sub-block 0 (x[0, 32)), high = sub-block 1 (x[32, 64))
            q0 = ByteVector.fromMemorySegment(B16, w, qs, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 16, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            q0 = q0.and((byte) 15);
            q1 = q1.and((byte) 15);
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * (sc & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 8) & 0xFF)), odd);
            // chunk 1: qs[32, 64); low nibbles = sub-block 2 (x[64, 96)), high = sub-block 3 (x[96, 128))
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 32, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 48, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            q0 = q0.and((byte) 15);
            q1 = q1.and((byte) 15);
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 64 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 16) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 24) & 0xFF)), odd);
            // chunk 2: qs[64, 96); low nibbles = sub-block 4 (x[128, 160)), high = sub-block 5 (x[160, 192))
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 64, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 80, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            q0 = q0.and((byte) 15);
            q1 = q1.and((byte) 15);
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 128 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 32) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 40) & 0xFF)), odd);
            // chunk 3: qs[96, 128); low nibbles = sub-block 6 (x[192, 224)), high = sub-block 7 (x[224, 256))
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 96, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 112, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            q0 = q0.and((byte) 15);
            q1 = q1.and((byte) 15);
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 192 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 48) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 56) & 0xFF)), odd);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD) - minTerm;
    }

    /**
     * Q5_K row kernel: {@link #dot4} plus bit 4 from qh[l] (bit 2n for the low nibbles of chunk n,
     * 2n+1 for the high ones), moved into place with 32-bit lane shifts and a 0x10 mask. Its own copy
     * of the loop, not a flag in dot4: one compilation unit must hold only its own format's vector ops.
     */
    private static float dot5(MemorySegment w, long at, long qhOff, long qsOff, int blockBytes, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        FloatVector even = FloatVector.zero(F), odd = even;
        float minTerm = 0;
        ByteVector q0, q1, h0, h1;
        IntVector hb0, hb1;
        FloatVector s0, s1;
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256, sumsOff += 8) {
            int dd = BlockBytes.u32(w, at);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int u0 = BlockBytes.u32(w, at + SCALES), u1 = BlockBytes.u32(w, at + SCALES + 4), u2 = BlockBytes.u32(w, at + SCALES + 8);
            long sc = packedScales(u0, u1, u2, false);
            minTerm += dmin * minsTimesSums(packedScales(u0, u1, u2, true), sums32, sumsOff);
            IntVector qh0 = ByteVector.fromMemorySegment(B16, w, at + qhOff, LE).reinterpretAsInts();
            IntVector qh1 = ByteVector.fromMemorySegment(B16, w, at + qhOff + 16, LE).reinterpretAsInts();
            long qs = at + qsOff;
            // chunk 0: as Q4_K's, plus bit 0 (low nibbles) and bit 1 (high nibbles) of qh as bit 4
            hb0 = qh0;
            hb1 = qh1;
            q0 = ByteVector.fromMemorySegment(B16, w, qs, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 16, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * (sc & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 8) & 0xFF)), odd);
            // chunk 1: as Q4_K's, plus bit 2 (low nibbles) and bit 3 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 2);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 2);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 32, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 48, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 64 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 16) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 24) & 0xFF)), odd);
            // chunk 2: as Q4_K's, plus bit 4 (low nibbles) and bit 5 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 4);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 4);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 64, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 80, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 128 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 32) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 40) & 0xFF)), odd);
            // chunk 3: as Q4_K's, plus bit 6 (low nibbles) and bit 7 (high nibbles) of qh as bit 4
            hb0 = qh0.lanewise(VectorOperators.LSHR, 6);
            hb1 = qh1.lanewise(VectorOperators.LSHR, 6);
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 96, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 112, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb0.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                    .or(hb1.lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes().and((byte) 0x10));
            q0 = q0.and((byte) 15).or(hb0.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            q1 = q1.and((byte) 15).or(hb1.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
            s0 = FloatVector.zero(F);
            s1 = s0;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + 192 + p * LANES;
                s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s0);
                s0 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s0);
                s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 32), s1);
                s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 48), s1);
            }
            even = s0.fma(FloatVector.broadcast(F, d * ((sc >>> 48) & 0xFF)), even);
            odd = s1.fma(FloatVector.broadcast(F, d * ((sc >>> 56) & 0xFF)), odd);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD) - minTerm;
    }

    /**
     * Q4_K dequantization for 16-lane float vectors (batched decode's weight panels, prefill): as
     * {@link #dot5x16}, the block's 8 scales and 8 mins widened and scaled in one vector
     * {@code scaleMin} = [dmin*m_0..7 | d*sc_0..7] and each sub-block's scale and min broadcast from
     * it by a register shuffle, the four 64-weight chunks written out (no per-sub-block scalar
     * conversions, variable shifts or loop bounds checks); y = q * (d*sc) - dmin*m as one FMA.
     */
    private static void dequantize4x16(MemorySegment w, long at, long qsOff, int blockBytes, float[] dst, int y, int blocks) {
        ByteVector q0, q1, h0, h1;
        for (int b = 0; b < blocks; b++, at += blockBytes, y += 256) {
            int dd = BlockBytes.u32(w, at);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int u0 = BlockBytes.u32(w, at + SCALES), u1 = BlockBytes.u32(w, at + SCALES + 4), u2 = BlockBytes.u32(w, at + SCALES + 8);
            ByteVector packed = LongVector.zero(LongVector.SPECIES_128).withLane(0, packedScales(u0, u1, u2, true))
                    .withLane(1, packedScales(u0, u1, u2, false)).reinterpretAsBytes();
            // [-dmin*m_0..7 | d*sc_0..7]: the offsets negated once, so each weight is one FMA
            FloatVector scaleMin = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.broadcast(F, d).blend(-dmin, LOW8));
            long qs = at + qsOff;
            // chunk 0: qs[0, 32); low nibbles = sub-block 0, high = sub-block 1
            q0 = ByteVector.fromMemorySegment(B16, w, qs, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 16, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[8]), scaleMin.rearrange(LANE[0])).intoArray(dst, y);
            ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[8]), scaleMin.rearrange(LANE[0])).intoArray(dst, y + 16);
            ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[9]), scaleMin.rearrange(LANE[1])).intoArray(dst, y + 32);
            ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[9]), scaleMin.rearrange(LANE[1])).intoArray(dst, y + 48);
            // chunk 1: qs[32, 64); sub-blocks 2, 3
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 32, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 48, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[10]), scaleMin.rearrange(LANE[2])).intoArray(dst, y + 64);
            ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[10]), scaleMin.rearrange(LANE[2])).intoArray(dst, y + 80);
            ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[11]), scaleMin.rearrange(LANE[3])).intoArray(dst, y + 96);
            ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[11]), scaleMin.rearrange(LANE[3])).intoArray(dst, y + 112);
            // chunk 2: qs[64, 96); sub-blocks 4, 5
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 64, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 80, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[12]), scaleMin.rearrange(LANE[4])).intoArray(dst, y + 128);
            ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[12]), scaleMin.rearrange(LANE[4])).intoArray(dst, y + 144);
            ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[13]), scaleMin.rearrange(LANE[5])).intoArray(dst, y + 160);
            ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[13]), scaleMin.rearrange(LANE[5])).intoArray(dst, y + 176);
            // chunk 3: qs[96, 128); sub-blocks 6, 7
            q0 = ByteVector.fromMemorySegment(B16, w, qs + 96, LE);
            q1 = ByteVector.fromMemorySegment(B16, w, qs + 112, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[14]), scaleMin.rearrange(LANE[6])).intoArray(dst, y + 192);
            ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[14]), scaleMin.rearrange(LANE[6])).intoArray(dst, y + 208);
            ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[15]), scaleMin.rearrange(LANE[7])).intoArray(dst, y + 224);
            ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(scaleMin.rearrange(LANE[15]), scaleMin.rearrange(LANE[7])).intoArray(dst, y + 240);
        }
    }

    /**
     * Vector dequantization (prefill), one 32-weight sub-block j at a time: y = (d*sc_j)*q + (-dmin*m_j),
     * q = nibble j%2 of qs[32*(j/2) ..], plus for Q5_K bit j of qh[l] as bit 4. Direct
     * Vector API calls only (see {@link #dot}): with helper methods the Q5_K variant went past C2's
     * inlining budget and boxed (100 MB allocated per 8192x4096 matmul).
     */
    static void dequantize(MemorySegment w, long at, Layout layout, float[] dst, int dstOff, int blocks) {
        if (LANES == 16 && !layout.hasHighBits()) {
            dequantize4x16(w, at, layout.qsOff(), layout.blockBytes(), dst, dstOff, blocks);
            return;
        }
        long qhOff = layout.qhOff(), qsOff = layout.qsOff();
        int blockBytes = layout.blockBytes();
        for (int b = 0; b < blocks; b++, at += blockBytes, dstOff += 256) {
            float d = half(w, at), dmin = half(w, at + 2);
            long scales = packedScales(w, at + SCALES, false), mins = packedScales(w, at + SCALES, true);
            for (int j = 0; j < 8; j++, scales >>>= 8, mins >>>= 8) {
                long qs = at + qsOff + 32 * (j >> 1);
                int shift = 4 * (j & 1);
                ByteVector q0 = ByteVector.fromMemorySegment(B16, w, qs, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                        .reinterpretAsBytes().and((byte) 15);
                ByteVector q1 = ByteVector.fromMemorySegment(B16, w, qs + 16, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                        .reinterpretAsBytes().and((byte) 15);
                if (qhOff >= 0) { // bit j of each qh byte, moved to bit 4: (qh >> j) << 4 (32-bit lanes; the 0x10 mask drops bits from other bytes)
                    q0 = q0.or(ByteVector.fromMemorySegment(B16, w, at + qhOff, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, j)
                            .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
                    q1 = q1.or(ByteVector.fromMemorySegment(B16, w, at + qhOff + 16, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, j)
                            .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x10));
                }
                FloatVector scale = FloatVector.broadcast(F, d * (scales & 0xFF)), offset = FloatVector.broadcast(F, -dmin * (mins & 0xFF));
                int y = dstOff + 32 * j;
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(scale, offset).intoArray(dst, y + p * LANES);
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(scale, offset).intoArray(dst, y + 16 + p * LANES);
                }
            }
        }
    }
}
