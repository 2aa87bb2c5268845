package jmistral.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.generate.LogitsProcessors;
import jmistral.model.BatchEntry;
import jmistral.model.ForwardProbe.Part;
import jmistral.model.KvCache;
import jmistral.model.SequenceCache;
import jmistral.model.TextModel;
import jmistral.tensor.ComputePool;
import jmistral.tensor.PoolProfile;

/**
 * Where the time of a batched decode step goes ({@code jmistral bench --batch N --profile}): N sequences
 * forked from one prefilled prompt decode together, one forward per step as {@link BatchBench} times
 * them, each part of the forward (each matmul by weight tensor over N tokens, attention of all N
 * sequences, the output projection, ...) timed by a {@link PartTimer}, with the compute threads' idle
 * time inside it; argmax over the N rows of logits and what lies between the steps beside.
 *
 * @param batch       sequences decoding together
 * @param steps       profiled steps
 * @param parts       parts of all steps together
 * @param wall        wall time of the steps, argmax and loop included
 * @param cpu         CPU time of the process during the steps
 * @param argmaxNanos greedy choice over the N rows of logits, all steps
 */
public record BatchProfile(int batch, int steps, int threads, PartTimer parts, long wall, long cpu, long argmaxNanos) {

    static BatchProfile measure(TextModel m, KvCache kv, int[] prompt, int batch, int steps) {
        ComputePool pool = ComputePool.current();
        PoolProfile loops = new PoolProfile(pool.threads());
        PartTimer parts = new PartTimer(loops);
        int vocab = m.config().vocabSize();
        long wall, cpu, argmax = 0;
        try (SequenceCache base = kv.newSequence()) {
            m.forward(List.of(BatchEntry.of(base, Arrays.copyOf(prompt, prompt.length - 1))));
            List<SequenceCache> seqs = new ArrayList<>();
            pool.profile(loops);
            try {
                int[] next = new int[batch];
                for (int i = 0; i < batch; i++) {
                    seqs.add(base.fork(base.length()));
                    next[i] = prompt[(prompt.length - 1 - i + prompt.length) % prompt.length];
                }
                long t0 = System.nanoTime(), c0 = processCpu();
                for (int s = 0; s < steps; s++) {
                    List<BatchEntry> entries = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) entries.add(BatchEntry.of(seqs.get(i), next[i]));
                    List<float[]> logits = m.forward(entries, parts);
                    long a0 = System.nanoTime();
                    for (int i = 0; i < batch; i++) next[i] = LogitsProcessors.argmax(logits.get(i), 0, vocab);
                    argmax += System.nanoTime() - a0;
                }
                wall = System.nanoTime() - t0;
                cpu = processCpu() - c0;
            } finally {
                pool.profile(null);
                for (SequenceCache s : seqs) s.close();
            }
        }
        return new BatchProfile(batch, steps, pool.threads(), parts, wall, cpu, argmax);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public void print(PrintWriter out) {
        double ms = 1e6, perStep = steps;
        out.printf("%nbatched decode profile: %d sequences x %d steps, %d threads, %.2f ms per step (%.2f tok/s aggregate), %.2f CPU-ms per step%n",
                batch, steps, threads, wall / ms / perStep, batch * perStep / (wall / 1e9), cpu / ms / perStep);
        out.printf("  %-11s %9s %6s %13s %6s%n", "part", "ms/step", "share", "idle thread-ms", "loops");
        for (Part p : Part.values()) {
            long n = parts.nanos[p.ordinal()];
            if (n == 0) continue;
            out.printf("  %-11s %9.3f %5.1f%% %13.3f %6.1f%n", p.name().toLowerCase(java.util.Locale.ROOT), n / ms / perStep,
                    100.0 * n / wall, parts.idleThreadNanos[p.ordinal()] / ms / perStep, parts.loops[p.ordinal()] / perStep);
        }
        out.printf("  %-11s %9.3f %5.1f%%%n", "argmax", argmaxNanos / ms / perStep, 100.0 * argmaxNanos / wall);
        long between = wall - parts.total() - argmaxNanos;
        out.printf("  %-11s %9.3f %5.1f%%%n", "(between)", between / ms / perStep, 100.0 * between / wall);
        out.flush();
    }
}
