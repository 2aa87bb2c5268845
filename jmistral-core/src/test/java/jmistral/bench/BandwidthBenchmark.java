package jmistral.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import jmistral.tensor.ComputePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory read bandwidth as the kernels see it: a streaming float sum over a large native segment
 * (far larger than the caches), split over the same {@link ComputePool} threads as matvec.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class BandwidthBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Param({"2"})
    public int threads;

    /** Buffer size in MiB. */
    @Param({"512"})
    public int mib;

    private Arena arena;
    private MemorySegment buffer;
    private float[] partial;
    private static final int CHUNKS = 256;

    @Setup(Level.Trial)
    public void setup() {
        ComputePool.setThreads(threads);
        arena = Arena.ofShared();
        buffer = arena.allocate((long) mib << 20, 4096);
        buffer.fill((byte) 1);
        partial = new float[CHUNKS];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Bytes read per call. */
    public static long bytes(int mib) {
        return (long) mib << 20;
    }

    @Benchmark
    public float streamSum() {
        long chunkBytes = buffer.byteSize() / CHUNKS;
        ComputePool.shared().parallelForRange(CHUNKS, (s, e) -> {
            for (int c = s; c < e; c++) {
                long at = c * chunkBytes, end = at + chunkBytes;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                int step = F.vectorByteSize();
                for (; at + 4L * step <= end; at += 4L * step) {
                    a0 = a0.add(FloatVector.fromMemorySegment(F, buffer, at, ByteOrder.LITTLE_ENDIAN));
                    a1 = a1.add(FloatVector.fromMemorySegment(F, buffer, at + step, ByteOrder.LITTLE_ENDIAN));
                    a2 = a2.add(FloatVector.fromMemorySegment(F, buffer, at + 2L * step, ByteOrder.LITTLE_ENDIAN));
                    a3 = a3.add(FloatVector.fromMemorySegment(F, buffer, at + 3L * step, ByteOrder.LITTLE_ENDIAN));
                }
                partial[c] = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
            }
        });
        float s = 0;
        for (float p : partial) s += p;
        return s;
    }
}
