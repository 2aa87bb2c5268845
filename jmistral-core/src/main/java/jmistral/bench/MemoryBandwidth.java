package jmistral.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import jmistral.tensor.ComputePool;

/**
 * Measures memory read bandwidth the way decode uses memory: all compute threads streaming through a
 * buffer much larger than the CPU caches (vector loads, a sum so nothing is optimized away). Best of
 * a few passes, in bytes per second.
 */
public final class MemoryBandwidth {

    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    private static final int CHUNK = 1 << 20;        // bytes per work item

    private MemoryBandwidth() {
    }

    public static double measure(long bytes, int passes) {
        long size = Math.max(CHUNK, bytes / CHUNK * CHUNK);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(size, 64);
            for (long i = 0; i < size; i += 8) buf.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i);   // touch every page
            int chunks = (int) (size / CHUNK);
            long[] sink = new long[chunks];
            double best = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                ComputePool.current().parallelForRange(chunks, (start, end) -> {
                    for (int c = start; c < end; c++) sink[c] = sum(buf, (long) c * CHUNK);
                });
                long t1 = System.nanoTime();
                best = Math.max(best, size / ((t1 - t0) / 1e9));
            }
            long check = 0;
            for (long s : sink) check += s;
            if (check == 42) System.err.print("");      // keep the sums alive
            return best;
        }
    }

    private static long sum(MemorySegment buf, long from) {
        LongVector acc0 = LongVector.zero(S), acc1 = LongVector.zero(S);
        int step = S.vectorByteSize();
        for (long o = from; o < from + CHUNK; o += 2L * step) {
            acc0 = acc0.add(LongVector.fromMemorySegment(S, buf, o, ByteOrder.nativeOrder()));
            acc1 = acc1.add(LongVector.fromMemorySegment(S, buf, o + step, ByteOrder.nativeOrder()));
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
}
