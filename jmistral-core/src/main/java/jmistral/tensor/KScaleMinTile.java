package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K's register-tiled batched-decode kernel ({@link BlockType#dot4x4}): 4 rows x 4 tokens, the
 * super-block layout of {@link KScaleMinBlocks} (reference: {@link KScaleMinBlocks#dequantizeBlock}).
 *
 * <p>Per sub-block j, {@code sum_i (d*sc_j*q_i - dmin*m_j) * x_i = sum_i (d*sc_j*q_i) * x_i - dmin*m_j * sums32[j]}:
 * the main pass FMAs the scaled weights {@code d*sc_j*q} (no min) into 16 accumulators, and a second
 * pass over the blocks ({@link #minTerms}) takes the min terms from x's sums per 32 values
 * ({@link XSums}), one 8-lane FMA per block, row and token.
 */
final class KScaleMinTile {
    private KScaleMinTile() {}

    /** One super-block's 8 sub-block mins (or 8 sums of x) as floats: 8 lanes whatever {@link VectorLanes#F} is. */
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;

    /**
     * Q4_K, 4 rows x 4 tokens. Per sub-block j (32 columns, nibble j%2 of qs[32*(j/2) ..]) and half
     * (16 weights): each row's 16 nibbles are widened once and scaled by its d*sc_j (broadcast, a
     * scalar per row and sub-block), the 4 tokens' x vectors loaded once, 16 FMAs. The rows are read
     * through one slice from the first (bounds checked once). Direct Vector API calls only (see
     * {@link KScaleMinBlocks#dot}).
     */
    static void dot4x4Q4K(MemorySegment w, long[] rowAt, int blocks, float[] x, int[] xAt, float[] sums32, int[] sumsAt, float[] out16) {
        long base = rowAt[0], o1 = rowAt[1] - base, o2 = rowAt[2] - base, o3 = rowAt[3] - base;
        MemorySegment rows = w.asSlice(base, o3 + blocks * 144L);
        int x0 = xAt[0], x1 = xAt[1], x2 = xAt[2], x3 = xAt[3];
        float[] scales = new float[32]; // [row][sub-block]: d * sc of the current block
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int b = 0; b < blocks; b++) {
            long at = b * 144L;
            // scales[8i + j] = d_i * sc_ij: each row's 8 six-bit scales widened in one vector
            ((FloatVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, KScaleMinBlocks.packedScales(rows, at + KScaleMinBlocks.SCALES, false))
                    .reinterpretAsBytes().convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at)).intoArray(scales, 0);
            ((FloatVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, KScaleMinBlocks.packedScales(rows, at + o1 + KScaleMinBlocks.SCALES, false))
                    .reinterpretAsBytes().convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o1)).intoArray(scales, 8);
            ((FloatVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, KScaleMinBlocks.packedScales(rows, at + o2 + KScaleMinBlocks.SCALES, false))
                    .reinterpretAsBytes().convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o2)).intoArray(scales, 16);
            ((FloatVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, KScaleMinBlocks.packedScales(rows, at + o3 + KScaleMinBlocks.SCALES, false))
                    .reinterpretAsBytes().convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o3)).intoArray(scales, 24);
            for (int j = 0; j < 8; j++) {
                int shift = 4 * (j & 1);
                long qs = at + 16 + 32 * (j >> 1);
                for (int h = 0; h < 2; h++) {
                    long q = qs + 16 * h;
                    ByteVector q0 = ByteVector.fromMemorySegment(B16, rows, q, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                            .reinterpretAsBytes().and((byte) 15);
                    ByteVector q1 = ByteVector.fromMemorySegment(B16, rows, q + o1, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                            .reinterpretAsBytes().and((byte) 15);
                    ByteVector q2 = ByteVector.fromMemorySegment(B16, rows, q + o2, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                            .reinterpretAsBytes().and((byte) 15);
                    ByteVector q3 = ByteVector.fromMemorySegment(B16, rows, q + o3, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, shift)
                            .reinterpretAsBytes().and((byte) 15);
                    for (int p = 0; p < PARTS; p++) {
                        int c = b * 256 + 32 * j + 16 * h + p * LANES;
                        FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                        FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
                        FloatVector u = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(scales[j]);
                        a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
                        u = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(scales[8 + j]);
                        a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
                        u = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(scales[16 + j]);
                        a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
                        u = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(scales[24 + j]);
                        a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
                    }
                }
            }
        }
        out16[0] = a00.reduceLanes(VectorOperators.ADD); out16[1] = a01.reduceLanes(VectorOperators.ADD);
        out16[2] = a02.reduceLanes(VectorOperators.ADD); out16[3] = a03.reduceLanes(VectorOperators.ADD);
        out16[4] = a10.reduceLanes(VectorOperators.ADD); out16[5] = a11.reduceLanes(VectorOperators.ADD);
        out16[6] = a12.reduceLanes(VectorOperators.ADD); out16[7] = a13.reduceLanes(VectorOperators.ADD);
        out16[8] = a20.reduceLanes(VectorOperators.ADD); out16[9] = a21.reduceLanes(VectorOperators.ADD);
        out16[10] = a22.reduceLanes(VectorOperators.ADD); out16[11] = a23.reduceLanes(VectorOperators.ADD);
        out16[12] = a30.reduceLanes(VectorOperators.ADD); out16[13] = a31.reduceLanes(VectorOperators.ADD);
        out16[14] = a32.reduceLanes(VectorOperators.ADD); out16[15] = a33.reduceLanes(VectorOperators.ADD);
        minTerms(rows, o1, o2, o3, 144, blocks, sums32, sumsAt, out16);
    }

    /**
     * Subtracts the min terms from out16: for row i and token j, the sum over blocks b and sub-blocks k
     * of {@code dmin_b * m_bk * sums32[sumsAt[j] + 8b + k]}. Per block and row, the 8 six-bit mins
     * ({@link KScaleMinBlocks#packedScales}) are widened into one 8-lane vector and scaled by dmin,
     * then FMA'd with each token's 8 sums. A separate pass, so that its 16 accumulators do not
     * compete with the main pass's for registers; it reads only the rows' 16-byte headers again (L1).
     * No vectors cross the call, so it may stay a real call without boxing.
     */
    static void minTerms(MemorySegment rows, long o1, long o2, long o3, int blockBytes, int blocks, float[] sums32, int[] sumsAt, float[] out16) {
        int t0 = sumsAt[0], t1 = sumsAt[1], t2 = sumsAt[2], t3 = sumsAt[3];
        FloatVector z = FloatVector.zero(F8);
        FloatVector m00 = z, m01 = z, m02 = z, m03 = z, m10 = z, m11 = z, m12 = z, m13 = z;
        FloatVector m20 = z, m21 = z, m22 = z, m23 = z, m30 = z, m31 = z, m32 = z, m33 = z;
        for (int b = 0; b < blocks; b++) {
            long at = (long) b * blockBytes;
            int s = 8 * b;
            FloatVector v0 = FloatVector.fromArray(F8, sums32, t0 + s), v1 = FloatVector.fromArray(F8, sums32, t1 + s);
            FloatVector v2 = FloatVector.fromArray(F8, sums32, t2 + s), v3 = FloatVector.fromArray(F8, sums32, t3 + s);
            FloatVector u = ((FloatVector) LongVector.zero(LongVector.SPECIES_128)
                    .withLane(0, KScaleMinBlocks.packedScales(rows, at + KScaleMinBlocks.SCALES, true)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + 2));
            m00 = u.fma(v0, m00); m01 = u.fma(v1, m01); m02 = u.fma(v2, m02); m03 = u.fma(v3, m03);
            u = ((FloatVector) LongVector.zero(LongVector.SPECIES_128)
                    .withLane(0, KScaleMinBlocks.packedScales(rows, at + o1 + KScaleMinBlocks.SCALES, true)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o1 + 2));
            m10 = u.fma(v0, m10); m11 = u.fma(v1, m11); m12 = u.fma(v2, m12); m13 = u.fma(v3, m13);
            u = ((FloatVector) LongVector.zero(LongVector.SPECIES_128)
                    .withLane(0, KScaleMinBlocks.packedScales(rows, at + o2 + KScaleMinBlocks.SCALES, true)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o2 + 2));
            m20 = u.fma(v0, m20); m21 = u.fma(v1, m21); m22 = u.fma(v2, m22); m23 = u.fma(v3, m23);
            u = ((FloatVector) LongVector.zero(LongVector.SPECIES_128)
                    .withLane(0, KScaleMinBlocks.packedScales(rows, at + o3 + KScaleMinBlocks.SCALES, true)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F8, 0)).mul(half(rows, at + o3 + 2));
            m30 = u.fma(v0, m30); m31 = u.fma(v1, m31); m32 = u.fma(v2, m32); m33 = u.fma(v3, m33);
        }
        out16[0] -= m00.reduceLanes(VectorOperators.ADD); out16[1] -= m01.reduceLanes(VectorOperators.ADD);
        out16[2] -= m02.reduceLanes(VectorOperators.ADD); out16[3] -= m03.reduceLanes(VectorOperators.ADD);
        out16[4] -= m10.reduceLanes(VectorOperators.ADD); out16[5] -= m11.reduceLanes(VectorOperators.ADD);
        out16[6] -= m12.reduceLanes(VectorOperators.ADD); out16[7] -= m13.reduceLanes(VectorOperators.ADD);
        out16[8] -= m20.reduceLanes(VectorOperators.ADD); out16[9] -= m21.reduceLanes(VectorOperators.ADD);
        out16[10] -= m22.reduceLanes(VectorOperators.ADD); out16[11] -= m23.reduceLanes(VectorOperators.ADD);
        out16[12] -= m30.reduceLanes(VectorOperators.ADD); out16[13] -= m31.reduceLanes(VectorOperators.ADD);
        out16[14] -= m32.reduceLanes(VectorOperators.ADD); out16[15] -= m33.reduceLanes(VectorOperators.ADD);
    }
}
