package jmistral.bench;

import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import jmistral.tensor.ComputePool;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Matrix;
import jmistral.tensor.RandomWeights;
import jmistral.tensor.TensorView;

/**
 * Matmul cost per token count on one full-width weight (default ffn_up of Mistral Small: 5120 cols x
 * 32768 rows): for each type and n, ms per {@code matmul(x, n, out)} call and effective tokens/s,
 * in wall time and per CPU second. The CPU is shared, so the per-CPU-second numbers (single thread by
 * default: the pool then runs inline on this thread, whose CPU time is exact) are the ones to compare;
 * compare ratios between n, back to back, not absolute numbers between runs.
 *
 * <pre>
 * ./mvnw -B -q -o -pl jmistral-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
 *   -cp jmistral-core/target/test-classes:jmistral-core/target/classes:$(cat /tmp/cp.txt) \
 *   jmistral.bench.MatmulBench [types=Q8_0,Q4_K] [ns=1,2,4,8,16,64,512] [threads=1] [rows=32768] [cols=5120] [tiles=false]
 * </pre>
 * {@code tiles=true}: the matrix as the model's decode has it ({@link Matrix#withTiledCopy}: Q6_K and Q4_K with a copy in
 * row tiles), not in place.
 */
public final class MatmulBench {
    public static void main(String[] args) {
        String types = arg(args, "types", "Q8_0,Q4_K");
        String ns = arg(args, "ns", "1,2,4,8,16,64,512");
        int threads = Integer.parseInt(arg(args, "threads", "1"));
        int rows = Integer.parseInt(arg(args, "rows", "32768"));
        int cols = Integer.parseInt(arg(args, "cols", "5120"));
        double minCpuSeconds = Double.parseDouble(arg(args, "seconds", "1.0"));
        boolean tiles = Boolean.parseBoolean(arg(args, "tiles", "false"));
        ComputePool.setThreads(threads);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("matmul %d cols x %d rows, %d thread(s), %s, load %.1f%n", cols, rows, threads, tiles ? "tiled copies" : "in place",
                os.getSystemLoadAverage());
        System.out.printf("%-6s %4s %10s %10s %12s %12s %6s %12s%n", "type", "n", "wall ms", "cpu ms", "tok/s wall", "tok/s cpu", "calls", "alloc/call");
        for (String name : types.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            MemorySegment w = RandomWeights.matrix(t, rows, cols, new Random(1));
            Matrix m = tiles ? Matrix.withTiledCopy(new TensorView("w", t, new long[] {cols, rows}, w)) : Matrix.of(t, rows, cols, w);
            for (String nStr : ns.split(",")) {
                int n = Integer.parseInt(nStr);
                float[] x = RandomWeights.vector(n * cols, new Random(2)), out = new float[n * rows];
                m.matmul(x, n, out); // warm-up (JIT)
                long warm = System.nanoTime();
                while (System.nanoTime() - warm < 300_000_000L) m.matmul(x, n, out);
                int calls = 0;
                long t0 = System.nanoTime(), c0 = cpu(mx, threads, os), a0 = mx.getCurrentThreadAllocatedBytes();
                long cpuNs;
                do {
                    m.matmul(x, n, out);
                    calls++;
                    cpuNs = cpu(mx, threads, os) - c0;
                } while (cpuNs < minCpuSeconds * 1e9 || calls < 2);
                double wallMs = (System.nanoTime() - t0) / 1e6 / calls, cpuMs = cpuNs / 1e6 / calls;
                long alloc = (mx.getCurrentThreadAllocatedBytes() - a0) / calls; // this thread's (all of it with 1 thread): a boxing kernel shows here
                System.out.printf("%-6s %4d %10.2f %10.2f %12.1f %12.1f %6d %12d%n", t, n, wallMs, cpuMs, n * 1000 / wallMs, n * 1000 / cpuMs, calls, alloc);
            }
        }
    }

    /** CPU time: this thread's when the pool runs inline (1 thread), else the whole process's. */
    private static long cpu(com.sun.management.ThreadMXBean mx, int threads, com.sun.management.OperatingSystemMXBean os) {
        return threads == 1 ? mx.getCurrentThreadCpuTime() : os.getProcessCpuTime();
    }

    private static String arg(String[] args, String key, String dflt) {
        for (String a : args) if (a.startsWith(key + "=")) return a.substring(key.length() + 1);
        return dflt;
    }
}
