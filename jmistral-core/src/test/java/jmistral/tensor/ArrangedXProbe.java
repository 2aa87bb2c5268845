package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LE;

/**
 * A/B of a decode row kernel in one JVM (not a test): the plain-x kernel against the arranged-x one
 * ({@link BlockType#arrangesX}), alternated round by round, one thread, CPU time per matvec-sized pass
 * (8192 rows x 4096 columns, 19-22 MB: out of cache; 256 rows: in L2, 8: in L1), medians over rounds;
 * {@code -Dstream=true} adds a plain read of the same bytes ({@code -Dstreams=N} interleaved streams).
 * {@code java --add-modules jdk.incubator.vector -cp jmistral-core/target/classes:jmistral-core/target/test-classes jmistral.tensor.ArrangedXProbe [Q4_K] [rounds] [rows]} (rows 256: 0.6 MB, in L2)
 */
public final class ArrangedXProbe {
    public static void main(String[] args) {
        GgmlType t = GgmlType.valueOf(args.length > 0 ? args[0] : "Q4_K");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        BlockType bt = BlockType.of(t);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 8192, cols = 4096, blocks = cols / bt.blockSize();
        long rowBytes = t.bytesFor(cols);
        int reps = Math.max(4, 4 * 8192 / rows);
        MemorySegment w = RandomWeights.matrix(t, rows, cols, new Random(1));
        float[] x = RandomWeights.vector(cols, new Random(2));
        float[] sums = bt.sumsGroup() == 0 ? null : XSums.of(x, 0, cols, bt.sumsGroup());
        float[] xa = new float[cols];
        bt.arrangeX(x, 0, xa, 0, blocks);
        float[] oldT = new float[rounds], newT = new float[rounds];
        float sink = 0;
        for (int round = -5; round < rounds; round++) {
            for (int turn = 0; turn < 2; turn++) {
                int which = (turn + round + 5) % 2; // which kernel goes first alternates round by round
                long c0 = mx.getCurrentThreadCpuTime(), a0 = mx.getCurrentThreadAllocatedBytes();
                for (int rep = 0; rep < reps; rep++) {
                    if (which == 0) {
                        for (int r = 0; r < rows; r++) sink += plain(t, w, r * rowBytes, x, sums, blocks);
                    } else {
                        for (int r = 0; r < rows; r++) sink += bt.dotArranged(w, r * rowBytes, xa, 0, sums, 0, blocks);
                    }
                }
                long cpu = (mx.getCurrentThreadCpuTime() - c0) / reps, alloc = (mx.getCurrentThreadAllocatedBytes() - a0) / reps;
                if (round >= 0) (which == 0 ? oldT : newT)[round] = cpu / 1e6f;
                if (round == rounds - 1) System.out.printf("%s %s alloc/pass %d B%n", t, which == 0 ? "plain" : "arranged", alloc);
            }
        }
        if (Boolean.getBoolean("stream")) { // the memory ceiling: the same bytes summed as ints, 64 at a time
            float[] st = new float[rounds];
            for (int round = -3; round < rounds; round++) {
                long c0 = mx.getCurrentThreadCpuTime();
                jdk.incubator.vector.IntVector acc = jdk.incubator.vector.IntVector.zero(jdk.incubator.vector.IntVector.SPECIES_512);
                int streams = Integer.getInteger("streams", 1);
                long part = rows * rowBytes / streams / 64 * 64;
                for (long at = 0; at < part; at += 64) {
                    for (int k = 0; k < streams; k++) {
                        acc = acc.add(jdk.incubator.vector.IntVector.fromMemorySegment(jdk.incubator.vector.IntVector.SPECIES_512, w, at + k * part, java.nio.ByteOrder.LITTLE_ENDIAN));
                    }
                }
                sink += acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                if (round >= 0) st[round] = (mx.getCurrentThreadCpuTime() - c0) / 1e6f;
            }
            Arrays.sort(st);
            System.out.printf("%s stream   CPU ms/pass median %.2f (range %.2f-%.2f) = %.2f GB/cpu-s%n", t, st[rounds / 2], st[0], st[rounds - 1], rows * rowBytes / 1e9 / st[rounds / 2] * 1e3);
        }
        Arrays.sort(oldT);
        Arrays.sort(newT);
        double gb = rows * rowBytes / 1e9;
        System.out.printf("%s plain    CPU ms/pass median %.2f (range %.2f-%.2f) = %.2f GB/cpu-s%n", t, oldT[rounds / 2], oldT[0], oldT[rounds - 1], gb / oldT[rounds / 2] * 1e3);
        System.out.printf("%s arranged CPU ms/pass median %.2f (range %.2f-%.2f) = %.2f GB/cpu-s%n", t, newT[rounds / 2], newT[0], newT[rounds - 1], gb / newT[rounds / 2] * 1e3);
        if (sink == 42) System.out.println();
    }

    /**
     * The Q4_K row kernel before {@link KScaleMinBlocks#dot4Arranged} (commit 737d889), kept here as the
     * baseline of the A/B: the block's 8
     * mins and 8 scales are widened and scaled in one vector {@code scaleMin} = [dmin*m_0..7 | d*sc_0..7]
     * (one conversion instead of 16 scalar int-to-float conversions and broadcasts), each sub-block's
     * scale is broadcast from it by a register shuffle, and the min term is one masked FMA with x's
     * sums per block. Measured 8.8 to 11 GB per CPU-second (KernelProbe, in cache).
     */
    static float dot4x16(MemorySegment w, long at, long qsOff, int blockBytes, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        FloatVector even = FloatVector.zero(F), odd = even; // scaled q*x of the even / odd sub-blocks
        FloatVector minTerm = even;                         // lanes 0..7: sum over blocks of dmin * m_j * sums32[j]
        ByteVector q0, q1, h0, h1;
        FloatVector s0, s1;
        for (int b = 0; b < blocks; b++, at += blockBytes, xOff += 256, sumsOff += 8) {
            int dd = BlockBytes.u32(w, at);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            int u0 = BlockBytes.u32(w, at + KScaleMinBlocks.SCALES), u1 = BlockBytes.u32(w, at + KScaleMinBlocks.SCALES + 4), u2 = BlockBytes.u32(w, at + KScaleMinBlocks.SCALES + 8);
            // [m_0..7 | sc_0..7] as 16 bytes, then floats times [dmin x8 | d x8]
            ByteVector packed = LongVector.zero(LongVector.SPECIES_128).withLane(0, KScaleMinBlocks.packedScales(u0, u1, u2, true))
                    .withLane(1, KScaleMinBlocks.packedScales(u0, u1, u2, false)).reinterpretAsBytes();
            FloatVector scaleMin = ((FloatVector) packed.convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.broadcast(F, d).blend(dmin, KScaleMinBlocks.LOW8));
            // lanes 8..15 of the masked load are zero (and not read), so only the mins accumulate
            minTerm = scaleMin.fma(FloatVector.fromArray(F, sums32, sumsOff, KScaleMinBlocks.LOW8), minTerm);
            long qs = at + qsOff;
            // chunk 0: qs[0, 32); low nibbles = sub-block 0, high = sub-block 1
            q0 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs, LE);
            q1 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 16, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            s0 = ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 0));
            s0 = ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 16), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 32));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 48), s1);
            even = s0.fma(scaleMin.rearrange(VectorLanes.LANE[8]), even);
            odd = s1.fma(scaleMin.rearrange(VectorLanes.LANE[9]), odd);
            // chunk 1: qs[32, 64); low nibbles = sub-block 2, high = sub-block 3
            q0 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 32, LE);
            q1 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 48, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            s0 = ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 64));
            s0 = ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 80), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 96));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 112), s1);
            even = s0.fma(scaleMin.rearrange(VectorLanes.LANE[10]), even);
            odd = s1.fma(scaleMin.rearrange(VectorLanes.LANE[11]), odd);
            // chunk 2: qs[64, 96); low nibbles = sub-block 4, high = sub-block 5
            q0 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 64, LE);
            q1 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 80, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            s0 = ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 128));
            s0 = ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 144), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 160));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 176), s1);
            even = s0.fma(scaleMin.rearrange(VectorLanes.LANE[12]), even);
            odd = s1.fma(scaleMin.rearrange(VectorLanes.LANE[13]), odd);
            // chunk 3: qs[96, 128); low nibbles = sub-block 6, high = sub-block 7
            q0 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 96, LE);
            q1 = ByteVector.fromMemorySegment(VectorLanes.B16, w, qs + 112, LE);
            h0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            h1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15);
            s0 = ((FloatVector) q0.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 192));
            s0 = ((FloatVector) q1.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 208), s0);
            s1 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xOff + 224));
            s1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xOff + 240), s1);
            even = s0.fma(scaleMin.rearrange(VectorLanes.LANE[14]), even);
            odd = s1.fma(scaleMin.rearrange(VectorLanes.LANE[15]), odd);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD) - minTerm.reduceLanes(VectorOperators.ADD);
    }

    /** The Q6_K row kernel before {@link Q6_KBlock#dot16Arranged} (16-lane path of commit fe58892), the baseline of the A/B. */
    static float q6kBefore(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++, at += 210, xOff += 256) {
            float d = BlockBytes.half(w, at + 208);
            // other widths: the scales as bytes of two longs (byte k: scale k, signed)
            long sc0 = VectorLanes.LANES == 16 ? 0 : BlockBytes.u64(w, at + 192), sc1 = VectorLanes.LANES == 16 ? 0 : BlockBytes.u64(w, at + 192 + 8);
            // 16 lanes: the block's 16 scales converted at once (d * scales[k] in lane k), and for step i
            // that vector moved down by 8h + i%2 lanes, so its scales k, k+2, k+4, k+6 sit in lanes 0, 2, 4, 6
            // and are broadcast by constant shuffles (C2 folds the VectorLanes.LANES tests: one way is compiled)
            FloatVector all = VectorLanes.LANES != 16 ? null : ((FloatVector) ByteVector.fromMemorySegment(VectorLanes.B16, w, at + 192, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(d);
            FloatVector by1 = VectorLanes.LANES != 16 ? null : all.slice(1), by8 = VectorLanes.LANES != 16 ? null : all.slice(8),
                    by9 = VectorLanes.LANES != 16 ? null : all.slice(9);
            for (int i = 0; i < 4; i++) {
                int h = i >> 1, l = 16 * (i & 1);
                FloatVector s0, s1, s2, s3;
                if (VectorLanes.LANES == 16) {
                    FloatVector sv = i == 0 ? all : i == 1 ? by1 : i == 2 ? by8 : by9;
                    s0 = sv.rearrange(VectorLanes.LANE[0]);
                    s1 = sv.rearrange(VectorLanes.LANE[2]);
                    s2 = sv.rearrange(VectorLanes.LANE[4]);
                    s3 = sv.rearrange(VectorLanes.LANE[6]);
                } else {
                    long sc = (h == 0 ? sc0 : sc1) >>> (8 * (i & 1)); // byte 2k: scale of quarter k
                    s0 = FloatVector.broadcast(F, d * (byte) sc);
                    s1 = FloatVector.broadcast(F, d * (byte) (sc >>> 16));
                    s2 = FloatVector.broadcast(F, d * (byte) (sc >>> 32));
                    s3 = FloatVector.broadcast(F, d * (byte) (sc >>> 48));
                }
                long ql = at + 0 + 64 * h + l;
                ByteVector lo0 = ByteVector.fromMemorySegment(VectorLanes.B16, w, ql, LE), lo1 = ByteVector.fromMemorySegment(VectorLanes.B16, w, ql + 32, LE);
                IntVector hb = ByteVector.fromMemorySegment(VectorLanes.B16, w, at + 128 + 32 * h + l, LE).reinterpretAsInts();
                ByteVector q0 = lo0.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q1 = lo1.and((byte) 15).or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q2 = lo0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                ByteVector q3 = lo1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 15)
                        .or(hb.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30)).sub((byte) 32);
                int x0 = xOff + 128 * h + l;
                for (int p = 0; p < VectorLanes.PARTS; p++) {
                    int xp = x0 + p * VectorLanes.LANES;
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).mul(s0).fma(FloatVector.fromArray(F, x, xp), a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).mul(s1).fma(FloatVector.fromArray(F, x, xp + 32), a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, p)).mul(s2).fma(FloatVector.fromArray(F, x, xp + 64), a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, p)).mul(s3).fma(FloatVector.fromArray(F, x, xp + 96), a3);
                }
            }
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** The plain-x kernel that matvec ran before the arranged one. */
    private static float plain(GgmlType t, MemorySegment w, long at, float[] x, float[] sums, int blocks) {
        return switch (t) {
            case Q4_K -> dot4x16(w, at, 16, 144, x, 0, sums, 0, blocks);
            case Q6_K -> q6kBefore(w, at, x, 0, blocks);
            default -> throw new IllegalArgumentException(t + ": no plain kernel to compare");
        };
    }
}
