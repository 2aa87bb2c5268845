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
 * {@code java --add-modules jdk.incubator.vector -cp jmistral-core/target/classes:jmistral-core/target/test-classes jmistral.bench.KernelProbe [types] [matmul|matvec] [rows]}
 * ({@code matmul}: also a 16-token matmul per type, the prefill path; rows, default 8192 by 4096 columns:
 * 128 keeps a K-quant matrix in L2, and the calls are then 8192/128 times as many; {@code -Dcols=N} sets the
 * columns, 4096 by default: x of 5120 or 32768 columns no longer fits L1, and Q8_0 reads slower per byte).
 */
public final class KernelProbe {
    public static void main(String[] args) {
        ComputePool.setThreads(1);
        boolean prefill = args.length > 1 && args[1].equals("matmul");
        String types = args.length > 0 ? args[0] : "F32,F16,BF16,Q8_0,Q4_0,Q4_1,Q5_0,Q5_1,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,IQ4_NL,IQ4_XS";
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 8192, cols = Integer.getInteger("cols", 4096);
        for (String name : types.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            MemorySegment w = RandomWeights.matrix(t, rows, cols, new Random(1));
            Matrix m = Matrix.of(t, rows, cols, w);
            float[] x = RandomWeights.vector(cols, new Random(2)), out = new float[rows];
            // warm-up of at least 2 s, not a count of calls (30 calls could end before C2 had compiled everything)
            long warmEnd = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; i < 30 * Math.max(1, 8192 / rows) || System.nanoTime() < warmEnd; i++) m.matvec(x, out);
            long a0 = mx.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            // timed for at least 1 s: 20 calls (30-60 ms) caught transients, such as the JIT compiling in the
            // background on this 2-core machine (a 6 s trace of the same kernel holds within 4%)
            int iters = 0;
            for (long end = t0 + 1_000_000_000L; iters < 20 * Math.max(1, 8192 / rows) || System.nanoTime() < end; iters++) m.matvec(x, out);
            long ns = (System.nanoTime() - t0) / iters, alloc = (mx.getCurrentThreadAllocatedBytes() - a0) / iters;
            long cpu = (mx.getCurrentThreadCpuTime() - c0) / iters;
            // per CPU second too: on a shared machine wall time mostly measures the other load
            System.out.printf("%-7s %8.2f GB/s  %8.2f GB/cpu-s  %6.2f ms  alloc/call %d B%n", t, w.byteSize() / (double) ns,
                    w.byteSize() / (double) cpu, ns / 1e6, alloc);
            if (prefill) { // matmul of 16 tokens (one token tile): weights dequantized once for all 16
                int n = 16;
                float[] xs = RandomWeights.vector(n * cols, new Random(3)), outs = new float[n * rows];
                for (int i = 0; i < 5; i++) m.matmul(xs, n, outs);
                a0 = mx.getCurrentThreadAllocatedBytes();
                c0 = mx.getCurrentThreadCpuTime();
                int mIters = 5;
                for (int i = 0; i < mIters; i++) m.matmul(xs, n, outs);
                cpu = (mx.getCurrentThreadCpuTime() - c0) / mIters;
                alloc = (mx.getCurrentThreadAllocatedBytes() - a0) / mIters;
                System.out.printf("%-7s matmul x%d: %8.0f tokens/cpu-s  %8.2f GB/cpu-s  alloc/call %d B%n", t, n, n * 1e9 / cpu,
                        w.byteSize() / (double) cpu, alloc);
            }
        }
    }
}
