package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * The small-batch matmul paths of {@link BlockMatrix} (batched decode, verification of drafts:
 * n = 2..16 tokens) against each other in ONE process, one call of each path in turn, repeated: on a
 * shared machine whose load swings 30-50% within a minute, only calls interleaved this finely see the
 * same load. One thread (the pool runs inline), this thread's CPU time per call; prints the median
 * and the quartiles of the per-round CPU ms of each path, and its ratio to the first path's median.
 *
 * <pre>
 * ./mvnw -B -q -o -pl jmistral-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g \
 *   -cp jmistral-core/target/test-classes:jmistral-core/target/classes:$(cat /tmp/cp.txt) \
 *   jmistral.tensor.SmallBatchBench [types=Q8_0,Q4_K,Q6_K] [ns=2,3,4,8,9,12,16] [paths=TILED,REGISTER_TILED] \
 *   [rows=8192] [cols=5120] [rounds=15]
 * </pre>
 * A path a format has no kernel for (FUSED without {@link BlockType#hasDot4Tokens}, REGISTER_TILED
 * without {@link BlockType#hasDot4x4}) runs the scalar reference: leave it out.
 */
public final class SmallBatchBench {
    public static void main(String[] args) {
        String types = arg(args, "types", "Q8_0,Q4_K,Q6_K");
        String ns = arg(args, "ns", "2,3,4,8,9,12,16");
        String[] pathNames = arg(args, "paths", "TILED,REGISTER_TILED").split(",");
        int rows = Integer.parseInt(arg(args, "rows", "8192")), cols = Integer.parseInt(arg(args, "cols", "5120"));
        int rounds = Integer.parseInt(arg(args, "rounds", "15"));
        ComputePool.setThreads(1);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("%d rows x %d cols, 1 thread, %d rounds, load %.1f; CPU ms per call: median [quartiles], ratio to %s%n",
                rows, cols, rounds, os.getSystemLoadAverage(), pathNames[0]);
        for (String name : types.split(",")) {
            GgmlType t = GgmlType.valueOf(name);
            MemorySegment w = RandomWeights.matrix(t, rows, cols, new Random(1));
            BlockMatrix m = new BlockMatrix(BlockType.of(t), rows, cols, w);
            for (String nStr : ns.split(",")) {
                int n = Integer.parseInt(nStr);
                float[] x = RandomWeights.vector(n * cols, new Random(2)), out = new float[n * rows];
                BlockMatrix.SmallBatchPath[] paths = new BlockMatrix.SmallBatchPath[pathNames.length];
                for (int p = 0; p < paths.length; p++) paths[p] = BlockMatrix.SmallBatchPath.valueOf(pathNames[p]);
                for (int warm = 0; warm < 20; warm++) for (var p : paths) m.matmul(p, x, n, out); // JIT
                double[][] ms = new double[paths.length][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < paths.length; k++) {
                        // each round starts at the next path: a fixed order read up to 8% apart for the same code
                        int p = (r + k) % paths.length;
                        long c0 = mx.getCurrentThreadCpuTime();
                        m.matmul(paths[p], x, n, out);
                        ms[p][r] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                    }
                }
                StringBuilder line = new StringBuilder(String.format("%-5s n=%-3d", t, n));
                double base = median(ms[0]);
                for (int p = 0; p < paths.length; p++) {
                    java.util.Arrays.sort(ms[p]);
                    line.append(String.format("  %s %.2f [%.2f-%.2f] x%.2f", paths[p], median(ms[p]), ms[p][rounds / 4], ms[p][(3 * rounds) / 4],
                            median(ms[p]) / base));
                }
                System.out.println(line);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String arg(String[] args, String key, String dflt) {
        for (String a : args) if (a.startsWith(key + "=")) return a.substring(key.length() + 1);
        return dflt;
    }
}
