package jmistral.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import jmistral.tensor.GgmlType;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link BandwidthBenchmark} and {@link MatvecBenchmark} in one JMH run and prints each
 * type's matvec GB/s as a fraction of the measured memory bandwidth.
 *
 * <pre>
 * export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
 * ./mvnw -q -o -pl jmistral-core test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec \
 *   -Dexec.executable=$JAVA_HOME/bin/java -Dexec.classpathScope=test \
 *   -Dexec.args="--add-modules jdk.incubator.vector -cp %classpath jmistral.bench.BenchMain Q8_0,Q4_K 2"
 * </pre>
 * Arguments (all optional): comma-separated types (default: all 15), threads (default 2),
 * measurement iterations of 1 s (default 5; warm-up is 2 x 1 s).
 */
public final class BenchMain {
    private static final String ALL = "F32,F16,BF16,Q8_0,Q4_0,Q4_1,Q5_0,Q5_1,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,IQ4_NL,IQ4_XS";

    public static void main(String[] args) throws RunnerException {
        String[] types = (args.length > 0 ? args[0] : ALL).split(",");
        String threads = args.length > 1 ? args[1] : "2";
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int cols = 5120, rows = 32768, mib = 512;
        Options opt = new OptionsBuilder()
                .include(BandwidthBenchmark.class.getSimpleName())
                .include(MatvecBenchmark.class.getSimpleName())
                .param("type", types)
                .param("threads", threads)
                .param("cols", String.valueOf(cols))
                .param("rows", String.valueOf(rows))
                .param("mib", String.valueOf(mib))
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .forks(1)
                .build();
        Collection<RunResult> results = new Runner(opt).run();

        double bandwidth = 0;
        List<String> lines = new ArrayList<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            double ms = r.getPrimaryResult().getScore();
            if (bench.endsWith("streamSum")) {
                bandwidth = BandwidthBenchmark.bytes(mib) / (ms * 1e-3) / 1e9;
            }
        }
        System.out.printf("%nmemory bandwidth (streaming sum, %s threads): %.2f GB/s%n", threads, bandwidth);
        System.out.printf("%-8s %10s %10s %8s%n", "type", "ms/matvec", "GB/s", "of bw");
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith("matvec")) continue;
            GgmlType t = GgmlType.valueOf(r.getParams().getParam("type"));
            double ms = r.getPrimaryResult().getScore();
            double gbs = t.bytesFor((long) rows * cols) / (ms * 1e-3) / 1e9;
            lines.add(String.format("%-8s %10.3f %10.2f %7.0f%%", t, ms, gbs, 100 * gbs / bandwidth));
        }
        lines.forEach(System.out::println);
    }
}
