package jmistral.tensor;

import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K weights repacked, exactly, for the decode matvec of the matrices that keep a private copy anyway
 * ({@link ColumnSlicedMatrix}): each group of 16 consecutive weights (a Q6_K block has 16, each with its own int8
 * scale) as 20 bytes, {@code f32 s; int8 q[16]} with s = d * scales[g] and q = the 6-bit value - 32 (-32..31), so
 * weight i of the group is s * q[i], the same float the Q6_K reference computes ({@code d * scale * (q - 32)}: d is
 * an f16 and the scale an int8, so d * scale is exact in f32). 320 bytes per 256 weights against Q6_K's 210.
 *
 * <p>Why: the Q6_K kernel ({@link Q6_KBlock#dot16Arranged}) unpacks 6-bit values from two bit planes with 14 vector
 * constants, and C2 compiles it into one of several shapes per process (the output projection's matvec 20 ms in one,
 * 30-68 in others; README, "Batched decode"). This layout's kernel is Q8_0's: sign-extend 16 bytes, convert, multiply
 * by the group's scale, FMA with x, and no constant at all.
 */
final class Q6_KGroups {
    private Q6_KGroups() {}

    /** Bytes per group of 16 weights: the f32 scale, then 16 int8. */
    static final int GROUP_BYTES = 20;
    /** Bytes per 256 weights (one Q6_K block). */
    static final int BLOCK_BYTES = 16 * GROUP_BYTES;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** Bytes for {@code cols} weights (a multiple of 256). */
    static long bytesFor(int cols) {
        return (long) (cols / 256) * BLOCK_BYTES;
    }

    /** Repacks {@code blocks} Q6_K blocks at src[srcAt ..] into dst[dstAt ..] ({@link #BLOCK_BYTES} each). */
    static void repack(MemorySegment src, long srcAt, MemorySegment dst, long dstAt, int blocks) {
        byte[] q = new byte[256];
        long q6Bytes = GgmlType.Q6_K.bytesFor(256);
        for (int b = 0; b < blocks; b++, srcAt += q6Bytes, dstAt += BLOCK_BYTES) {
            Q6_KBlock.values(src, srcAt, q);
            for (int g = 0; g < 16; g++) {
                long at = dstAt + (long) g * GROUP_BYTES;
                dst.set(F32_LE, at, Q6_KBlock.groupScale(src, srcAt, g));
                MemorySegment.copy(q, 16 * g, dst, ValueLayout.JAVA_BYTE, at + 4, 16);
            }
        }
    }

    /** The scalar reference: weight i of the row is s * q[i], summed in double. */
    static double dotReference(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        double sum = 0;
        for (int g = 0; g < 16 * blocks; g++, at += GROUP_BYTES, xOff += 16) {
            float s = w.get(F32_LE, at);
            for (int i = 0; i < 16; i++) sum += (double) (s * w.get(ValueLayout.JAVA_BYTE, at + 4 + i)) * x[xOff + i];
        }
        return sum;
    }

    /**
     * The row's dot with x[xOff ..] over {@code blocks} * 256 weights: two groups (32 weights) per step, each into an
     * accumulator of its own so that the FMAs do not wait on each other; {@link #dot2Rows} sums each row in this order.
     */
    static float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int step = 0, steps = 8 * blocks; step < steps; step++, at += 2 * GROUP_BYTES, xOff += 32) {
            float s0 = w.get(F32_LE, at), s1 = w.get(F32_LE, at + 20);
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, at + 4, LE), q1 = ByteVector.fromMemorySegment(B16, w, at + 24, LE);
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).fma(FloatVector.fromArray(F, x, xp), a0);
                a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).fma(FloatVector.fromArray(F, x, xp + 16), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Two rows at once, {@link #dot} for each added to out[out0] and out[out1], x loaded once for both: two weight
     * streams per thread, as Q8_0's two-row
     * kernel reads them ({@link Q8_0Block#dot2Rows}); each row summed in {@link #dot}'s order. Measured against
     * {@link #dot} row by row (4 accumulators then), {@code bench --profile} on the 2-layer Q4_K_M model, alternated with
     * the Q6_K slices: the output projection 21.9-23.6 ms against 25.9-31.3.
     */
    static void dot2Rows(MemorySegment w, long at0, long at1, float[] x, int xOff, int blocks, float[] out, int out0, int out1) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int step = 0, steps = 8 * blocks; step < steps; step++, at0 += 2 * GROUP_BYTES, at1 += 2 * GROUP_BYTES, xOff += 32) {
            float s0 = w.get(F32_LE, at0), s1 = w.get(F32_LE, at0 + 20), t0 = w.get(F32_LE, at1), t1 = w.get(F32_LE, at1 + 20);
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, at0 + 4, LE), q1 = ByteVector.fromMemorySegment(B16, w, at0 + 24, LE);
            ByteVector r0 = ByteVector.fromMemorySegment(B16, w, at1 + 4, LE), r1 = ByteVector.fromMemorySegment(B16, w, at1 + 24, LE);
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                FloatVector x0 = FloatVector.fromArray(F, x, xp), x1 = FloatVector.fromArray(F, x, xp + 16);
                a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).fma(x0, a0);
                a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).fma(x1, a1);
                b0 = ((FloatVector) r0.convertShape(VectorOperators.B2F, F, p)).mul(t0).fma(x0, b0);
                b1 = ((FloatVector) r1.convertShape(VectorOperators.B2F, F, p)).mul(t1).fma(x1, b1);
            }
        }
        out[out0] += a0.add(a1).reduceLanes(VectorOperators.ADD);
        out[out1] += b0.add(b1).reduceLanes(VectorOperators.ADD);
    }
}
