package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.i8;
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
 * Q6_K's register-tiled batched-decode kernel ({@link BlockType#dot4x4}): 4 rows x 4 tokens, the
 * layout of {@link Q6_KBlock} (its reference: {@link Q6_KBlock#dequantizeBlock}).
 */
final class Q6_KTile {
    private Q6_KTile() {}

    private static final long QH = 128, SCALES = 192, D = 208;

    /**
     * Per block, half hf (128 weights), lanes l = 0 or 16 and quarter k (weights 128hf + l + 32k
     * + 0..15, group scale 8hf + l/16 + 2k): each row's 16 weights are formed from ql (nibble k/2 of
     * ql[64hf + l + 32(k%2)]) and qh (bits 2k, 2k+1 of qh[32hf + l], moved to bits 4-5 by a 32-bit
     * shift right 2k and left 4, masked with 0x30), minus 32, widened once and scaled by d * scale;
     * the 4 tokens' x vectors are loaded once; 16 FMAs. The rows are read through one slice from
     * the first (bounds checked once). Direct Vector API calls only (see {@link KScaleMinBlocks#dot}).
     */
    static void dot4x4(MemorySegment w, long[] rowAt, int blocks, float[] x, int[] xAt, float[] out16) {
        long base = rowAt[0], o1 = rowAt[1] - base, o2 = rowAt[2] - base, o3 = rowAt[3] - base;
        MemorySegment rows = w.asSlice(base, o3 + blocks * 210L);
        int x0 = xAt[0], x1 = xAt[1], x2 = xAt[2], x3 = xAt[3];
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int b = 0; b < blocks; b++) {
            long at = b * 210L;
            float d0 = half(rows, at + D), d1 = half(rows, at + o1 + D), d2 = half(rows, at + o2 + D), d3 = half(rows, at + o3 + D);
            for (int step = 0; step < 4; step++) {
                int hf = step >> 1, l = 16 * (step & 1);
                for (int k = 0; k < 4; k++) {
                    long ql = at + 64 * hf + l + 32 * (k & 1), qh = at + QH + 32 * hf + l, sc = at + SCALES + 8 * hf + (step & 1) + 2 * k;
                    int loShift = 4 * (k >> 1), hiShift = 2 * k;
                    FloatVector s0 = FloatVector.broadcast(F, d0 * i8(rows, sc)), s1 = FloatVector.broadcast(F, d1 * i8(rows, sc + o1));
                    FloatVector s2 = FloatVector.broadcast(F, d2 * i8(rows, sc + o2)), s3 = FloatVector.broadcast(F, d3 * i8(rows, sc + o3));
                    ByteVector q0 = ByteVector.fromMemorySegment(B16, rows, ql, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, loShift)
                            .reinterpretAsBytes().and((byte) 15)
                            .or(ByteVector.fromMemorySegment(B16, rows, qh, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, hiShift)
                                    .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                    ByteVector q1 = ByteVector.fromMemorySegment(B16, rows, ql + o1, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, loShift)
                            .reinterpretAsBytes().and((byte) 15)
                            .or(ByteVector.fromMemorySegment(B16, rows, qh + o1, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, hiShift)
                                    .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                    ByteVector q2 = ByteVector.fromMemorySegment(B16, rows, ql + o2, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, loShift)
                            .reinterpretAsBytes().and((byte) 15)
                            .or(ByteVector.fromMemorySegment(B16, rows, qh + o2, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, hiShift)
                                    .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                    ByteVector q3 = ByteVector.fromMemorySegment(B16, rows, ql + o3, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, loShift)
                            .reinterpretAsBytes().and((byte) 15)
                            .or(ByteVector.fromMemorySegment(B16, rows, qh + o3, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, hiShift)
                                    .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                    for (int p = 0; p < PARTS; p++) {
                        int c = b * 256 + 128 * hf + l + 32 * k + p * LANES;
                        FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                        FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
                        FloatVector u = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0);
                        a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
                        u = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1);
                        a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
                        u = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(s2);
                        a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
                        u = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(s3);
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
    }
}
