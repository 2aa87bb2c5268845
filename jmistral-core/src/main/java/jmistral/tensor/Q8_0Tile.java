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
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0's register-tiled batched-decode kernel ({@link BlockType#dot4x4}): 4 rows x 4 tokens.
 * Reference: {@link Q8_0Block#dequantizeBlock} (y = d * q) through {@link BlockType#dotReference}.
 */
final class Q8_0Tile {
    private Q8_0Tile() {}

    /**
     * Per block (32 columns) and half (16 weights, qs at +2 and +18): each row's 16 int8 weights are
     * widened once and scaled by its d; the 4 tokens' x vectors are loaded once; 16 FMAs into
     * a[row][token]. 16 accumulators + 4 x + 1 weight vector fit AVX-512's 32 registers. The 4 rows
     * are read through one slice from the first, so C2 checks the bounds once rather than per load.
     * Direct Vector API calls only (see {@link KScaleMinBlocks#dot}).
     */
    static void dot4x4(MemorySegment w, long[] rowAt, int blocks, float[] x, int[] xAt, float[] out16) {
        long base = rowAt[0], o1 = rowAt[1] - base, o2 = rowAt[2] - base, o3 = rowAt[3] - base;
        MemorySegment rows = w.asSlice(base, o3 + blocks * 34L);
        int x0 = xAt[0], x1 = xAt[1], x2 = xAt[2], x3 = xAt[3];
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int b = 0; b < blocks; b++) {
            long at = b * 34L;
            FloatVector d0 = FloatVector.broadcast(F, half(rows, at)), d1 = FloatVector.broadcast(F, half(rows, at + o1));
            FloatVector d2 = FloatVector.broadcast(F, half(rows, at + o2)), d3 = FloatVector.broadcast(F, half(rows, at + o3));
            for (int h = 0; h < 2; h++) {
                long qs = at + 2 + 16 * h;
                ByteVector q0 = ByteVector.fromMemorySegment(B16, rows, qs, LE), q1 = ByteVector.fromMemorySegment(B16, rows, qs + o1, LE);
                ByteVector q2 = ByteVector.fromMemorySegment(B16, rows, qs + o2, LE), q3 = ByteVector.fromMemorySegment(B16, rows, qs + o3, LE);
                for (int p = 0; p < PARTS; p++) {
                    int c = b * 32 + 16 * h + p * LANES;
                    FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                    FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
                    FloatVector u = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(d0);
                    a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
                    u = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(d1);
                    a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
                    u = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(d2);
                    a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
                    u = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(d3);
                    a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
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
