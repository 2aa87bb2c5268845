package jmistral.bench;

import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import jmistral.tensor.ComputePool;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Matrix;
import jmistral.tensor.RandomWeights;

/**
 * A quick single-thread check (not a benchmark; use BenchMain for numbers): per type, matvec GB/s on
 * a cache-exceeding matrix and the bytes allocated per call (should be ~0: a vector op that falls
 * back to boxing shows up here).
 * {@code java --add-modules jdk.incubator.vector -cp jmistral-core/target/classes:jmistral-core/target/test-classes jmistral.bench.KernelProbe [types]}
 */
public final class KernelProbe {
    public static void main(String[] args) {
        ComputePool.setThreads(1);
        String types = args.length > 0 ? args[0] : "F32,F16,BF16,Q8_0,Q4_0,Q4_1,Q5_0,Q5_1,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,IQ4_NL,IQ4_XS";
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = 8192, cols = 4096;
        for (String name : types.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            MemorySegment w = RandomWeights.matrix(t, rows, cols, new Random(1));
            Matrix m = Matrix.of(t, rows, cols, w);
            float[] x = RandomWeights.vector(cols, new Random(2)), out = new float[rows];
            for (int i = 0; i < 30; i++) m.matvec(x, out);
            long a0 = mx.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime();
            int iters = 20;
            for (int i = 0; i < iters; i++) m.matvec(x, out);
            long ns = (System.nanoTime() - t0) / iters, alloc = (mx.getCurrentThreadAllocatedBytes() - a0) / iters;
            System.out.printf("%-7s %8.2f GB/s  %6.2f ms  alloc/call %d B%n", t, w.byteSize() / (double) ns, ns / 1e6, alloc);
        }
    }
}
