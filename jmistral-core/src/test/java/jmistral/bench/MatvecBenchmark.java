package jmistral.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jmistral.tensor.ComputePool;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Matrix;
import jmistral.tensor.RandomWeights;
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
 * Decode matvec on a weight of {@code cols x rows} (ggml order; default 5120 x 32768 = ffn_up of
 * Mistral Small) in a native segment, per type. Weight bytes / time = the GB/s the kernel streams;
 * {@link BenchMain} compares it with {@link BandwidthBenchmark} from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MatvecBenchmark {

    @Param({"Q8_0", "Q4_K"})
    public String type;

    @Param({"2"})
    public int threads;

    @Param({"5120"})
    public int cols;

    @Param({"32768"})
    public int rows;

    private Arena arena;
    private Matrix matrix;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() {
        ComputePool.setThreads(threads);
        GgmlType t = GgmlType.valueOf(type);
        arena = Arena.ofShared();
        long bytes = t.bytesFor((long) rows * cols);
        MemorySegment w = arena.allocate(bytes, 4096);
        // 64 random rows (sane fp16 scales), repeated: realistic values without a minute of setup
        int tileRows = 64;
        MemorySegment tile = RandomWeights.matrix(t, tileRows, cols, new Random(42));
        for (long at = 0; at < bytes; at += tile.byteSize()) {
            MemorySegment.copy(tile, 0, w, at, Math.min(tile.byteSize(), bytes - at));
        }
        matrix = Matrix.of(t, rows, cols, w);
        x = RandomWeights.vector(cols, new Random(1));
        out = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matvec() {
        matrix.matvec(x, out);
        return out;
    }
}
