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
     * The dot of a row with x[xOff ..] over {@code blocks} * 256 weights, {@code row} holding the row's bytes from offset
     * 0 (a view per row, made once: {@link ColumnSlicedMatrix}); two groups (32 weights) per step, each into an
     * accumulator of its own so that the FMAs do not wait on each other. {@link #dot2Rows} sums each row in this order.
     */
    static float dot(MemorySegment row, float[] x, int xOff, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int step = 0, steps = 8 * blocks; step < steps; step++) {
            long g = step * (2L * GROUP_BYTES);
            int xs = xOff + 32 * step;
            float s0 = row.get(F32_LE, g), s1 = row.get(F32_LE, g + GROUP_BYTES);
            ByteVector q0 = ByteVector.fromMemorySegment(B16, row, g + 4, LE), q1 = ByteVector.fromMemorySegment(B16, row, g + GROUP_BYTES + 4, LE);
            for (int p = 0; p < PARTS; p++) {
                int xp = xs + p * LANES;
                a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).fma(FloatVector.fromArray(F, x, xp), a0);
                a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).fma(FloatVector.fromArray(F, x, xp + 16), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Two rows at once, {@link #dot} for each added to out[out0] and out[out1], x loaded once for both: two weight
     * streams per thread, as Q8_0's two-row kernel reads them ({@link Q8_0Block#dot2Rows}); each row summed in
     * {@link #dot}'s order.
     *
     * <p>Why a view per row: with the rows addressed as offsets into the whole slice ({@code at0 + 40 * step}, a long that
     * C2 cannot prove to fit an int), C2 kept a bounds check per load in the loop, 8 of its 71 instructions per step
     * (24 with their address arithmetic); the same offsets as ints, 83. Offsets from 0 in a view of the row alone are
     * checked once before the loop: 41-54 instructions. A view made per call ({@code asSlice}) allocated it whenever C2
     * did not inline asSlice (in some processes; perf showed NativeMemorySegmentImpl.dup at 1% of decode), so the views
     * are made once, with the copy. In one JVM, 2 threads, 131072 x 5120 in slices of 2560, alternated: 15.0-15.1 ms
     * per matvec against 17.9-18.3 (a quiet hour), 16.3-16.9 against 17.8-18.6 mean with 512 rows (in L2); even when
     * memory was the limit (21.5-23.8 both).
     */
    static void dot2Rows(MemorySegment row0, MemorySegment row1, float[] x, int xOff, int blocks, float[] out, int out0, int out1) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int step = 0, steps = 8 * blocks; step < steps; step++) {
            long g = step * (2L * GROUP_BYTES);
            int xs = xOff + 32 * step;
            float s0 = row0.get(F32_LE, g), s1 = row0.get(F32_LE, g + GROUP_BYTES), t0 = row1.get(F32_LE, g), t1 = row1.get(F32_LE, g + GROUP_BYTES);
            ByteVector q0 = ByteVector.fromMemorySegment(B16, row0, g + 4, LE), q1 = ByteVector.fromMemorySegment(B16, row0, g + GROUP_BYTES + 4, LE);
            ByteVector r0 = ByteVector.fromMemorySegment(B16, row1, g + 4, LE), r1 = ByteVector.fromMemorySegment(B16, row1, g + GROUP_BYTES + 4, LE);
            for (int p = 0; p < PARTS; p++) {
                int xp = xs + p * LANES;
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
