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

/** Q8_0: 32 weights in 34 bytes: {@code half d; int8 qs[32]}; y[j] = d * qs[j]. */
final class Q8_0Block implements BlockType {
    static final Q8_0Block INSTANCE = new Q8_0Block();

    public GgmlType type() { return GgmlType.Q8_0; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at);
        for (int j = 0; j < 32; j++) dst[dstOff + j] = d * i8(w, at + 2 + j);
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}): per block, q0 and q1
     * are the int8 weights 0..15 and 16..31 (qs at +2 and +18), summed as q*x and scaled by d once.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 34, xOff += 32) {
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, at + 18, LE);
            FloatVector s = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                s = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp), s);
                s = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xp + 16), s);
            }
            acc = s.fma(FloatVector.broadcast(F, half(w, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    public boolean hasDot2Rows() { return true; }

    /**
     * Two rows ({@link BlockType#dot2Rows}), each summed exactly as {@link #dot} sums it; the x vectors
     * are loaded once for both. Measured (one thread, CPU time, 16384x5120 from DRAM, rows r and
     * r + 8192 paired): 11.1-11.5 against 8.8-9.1 GB per CPU-second for {@link #dot} row by row; in L2
     * 7% slower (17.1 against 18.3).
     */
    public void dot2Rows(MemorySegment w, long at0, long at1, float[] x, int xOff, float[] sums, int sumsOff, int blocks,
                         float[] out, int out0, int out1) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        for (int b = 0; b < blocks; b++, at0 += 34, at1 += 34, xOff += 32) {
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, at0 + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, at0 + 18, LE);
            ByteVector r0 = ByteVector.fromMemorySegment(B16, w, at1 + 2, LE);
            ByteVector r1 = ByteVector.fromMemorySegment(B16, w, at1 + 18, LE);
            FloatVector s = FloatVector.zero(F), t = s;
            for (int p = 0; p < PARTS; p++) {
                int xp = xOff + p * LANES;
                FloatVector xa = FloatVector.fromArray(F, x, xp), xb = FloatVector.fromArray(F, x, xp + 16);
                s = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(xa, s);
                s = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(xb, s);
                t = ((FloatVector) r0.convertShape(VectorOperators.B2F, F, p)).fma(xa, t);
                t = ((FloatVector) r1.convertShape(VectorOperators.B2F, F, p)).fma(xb, t);
            }
            acc0 = s.fma(FloatVector.broadcast(F, half(w, at0)), acc0);
            acc1 = t.fma(FloatVector.broadcast(F, half(w, at1)), acc1);
        }
        out[out0] = acc0.reduceLanes(VectorOperators.ADD);
        out[out1] = acc1.reduceLanes(VectorOperators.ADD);
    }

    public boolean hasDot4Rows() { return LANES == 16; }

    /**
     * Four rows ({@link BlockType#dot4Rows}) for 16-lane vectors, one block per iteration: the block's two x vectors
     * feed four rows, and four streams of weights are read at once. Each row is summed in the same order as
     * {@link #dot}. The rows are read at offsets into w itself, not through views of each row (asSlice): C2 then
     * keeps a bounds check per load, but where it did not inline the views' creation, each call allocated them
     * (seen in KernelProbe: 40 bytes per row at 32768 columns), and the same views made runs bimodal (8192 x 5120 at
     * 12.8 or 23 GB per CPU-second from one run to the next). One block per iteration: with two, the method grew past
     * what C2 inlines and every block's vectors were boxed (decode 4 tok/s, 63 MB allocated per 8192 x 4096 matvec).
     */
    public void dot4Rows(MemorySegment w, long at0, long at1, long at2, long at3, float[] x, int xOff, float[] sums, int sumsOff,
                         int blocks, float[] out, int out0, int out1, int out2, int out3) {
        if (LANES != 16) {
            BlockType.super.dot4Rows(w, at0, at1, at2, at3, x, xOff, sums, sumsOff, blocks, out, out0, out1, out2, out3);
            return;
        }
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < blocks; b++, at0 += 34, at1 += 34, at2 += 34, at3 += 34, xOff += 32) {
            FloatVector xa = FloatVector.fromArray(F, x, xOff), xa2 = FloatVector.fromArray(F, x, xOff + 16);
            acc0 = blockSum(w, at0, xa, xa2).fma(FloatVector.broadcast(F, half(w, at0)), acc0);
            acc1 = blockSum(w, at1, xa, xa2).fma(FloatVector.broadcast(F, half(w, at1)), acc1);
            acc2 = blockSum(w, at2, xa, xa2).fma(FloatVector.broadcast(F, half(w, at2)), acc2);
            acc3 = blockSum(w, at3, xa, xa2).fma(FloatVector.broadcast(F, half(w, at3)), acc3);
        }
        out[out0] = acc0.reduceLanes(VectorOperators.ADD);
        out[out1] = acc1.reduceLanes(VectorOperators.ADD);
        out[out2] = acc2.reduceLanes(VectorOperators.ADD);
        out[out3] = acc3.reduceLanes(VectorOperators.ADD);
    }

    /** q * x summed over the block at {@code at} (16-lane vectors): weights 0..15 times xa plus weights 16..31 times xb. */
    private static FloatVector blockSum(MemorySegment w, long at, FloatVector xa, FloatVector xb) {
        FloatVector q0 = (FloatVector) ByteVector.fromMemorySegment(B16, w, at + 2, LE).convertShape(VectorOperators.B2F, F, 0);
        FloatVector q1 = (FloatVector) ByteVector.fromMemorySegment(B16, w, at + 18, LE).convertShape(VectorOperators.B2F, F, 0);
        return q1.fma(xb, q0.mul(xa));
    }

    public boolean hasDot4Tokens() { return true; }

    /**
     * Fused 4-token dot ({@link BlockType#dot4Tokens}): each block's 32 weights are decoded once (q0,
     * q1 as in {@link #dot}, times d) and each decoded vector feeds one FMA per token; two
     * accumulators per token (weights from q0 and from q1) keep the FMA chains short. The row is
     * read through a slice starting at 0, so C2 checks its bounds once rather than per load
     * (measured 20 -> 15 ms for 4 tokens x 16384x5120).
     */
    public void dot4Tokens(MemorySegment w, long at, int blocks, float[] x, int x0, int x1, int x2, int x3, float[] out4) {
        MemorySegment row = w.asSlice(at, blocks * 34L);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bat = b * 34L;
            FloatVector d = FloatVector.broadcast(F, half(row, bat));
            ByteVector q0 = ByteVector.fromMemorySegment(B16, row, bat + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, row, bat + 18, LE);
            for (int p = 0; p < PARTS; p++) {
                int c = b * 32 + p * LANES;
                FloatVector u = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(d);
                a0 = u.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                a1 = u.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                a2 = u.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                a3 = u.fma(FloatVector.fromArray(F, x, x3 + c), a3);
                u = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(d);
                b0 = u.fma(FloatVector.fromArray(F, x, x0 + c + 16), b0);
                b1 = u.fma(FloatVector.fromArray(F, x, x1 + c + 16), b1);
                b2 = u.fma(FloatVector.fromArray(F, x, x2 + c + 16), b2);
                b3 = u.fma(FloatVector.fromArray(F, x, x3 + c + 16), b3);
            }
        }
        out4[0] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out4[1] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out4[2] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out4[3] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }

    public boolean hasDot4x4() { return true; }

    /** Register-tiled 4 rows x 4 tokens ({@link BlockType#dot4x4}): {@link Q8_0Tile}. */
    public void dot4x4(MemorySegment w, long[] rowAt, int blocks, float[] x, int[] xAt, float[] sums, int[] sumsAt, float[] out16) {
        Q8_0Tile.dot4x4(w, rowAt, blocks, x, xAt, out16);
    }

    /** Vector dequantization (prefill): the same q0, q1 as {@link #dot}, stored as d*q. */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 34, dstOff += 32) {
            FloatVector d = FloatVector.broadcast(F, half(w, at));
            ByteVector q0 = ByteVector.fromMemorySegment(B16, w, at + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B16, w, at + 18, LE);
            for (int p = 0; p < PARTS; p++) {
                int yp = dstOff + p * LANES;
                ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp);
                ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, yp + 16);
            }
        }
    }

    public boolean canQuantize() { return true; }

    /** llama.cpp quantize_row_q8_0_ref: d = amax/127, q = roundf(x/d). */
    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        float amax = Math.abs(QuantMath.signedAbsMax(src, srcOff, 32));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        BlockBytes.putHalf(dst, at, d);
        for (int j = 0; j < 32; j++) BlockBytes.put8(dst, at + 2 + j, (int) QuantMath.roundHalfAway(src[srcOff + j] * id));
    }
}
