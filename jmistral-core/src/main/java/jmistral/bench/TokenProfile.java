package jmistral.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import java.util.List;
import jmistral.generate.LogitsProcessors;
import jmistral.generate.Sampler;
import jmistral.generate.SamplingParams;
import jmistral.model.BatchEntry;
import jmistral.model.Checkpoint;
import jmistral.model.ForwardProbe.Part;
import jmistral.model.KvCache;
import jmistral.model.LayerWeights;
import jmistral.model.SequenceCache;
import jmistral.model.TextModel;
import jmistral.tensor.ComputePool;
import jmistral.tensor.Matrix;
import jmistral.tensor.PoolProfile;

/**
 * Where the time of a prefill and of a decode step goes ({@code jmistral bench --profile}): each part
 * of the forward pass (each matmul by weight tensor, attention, norms, RoPE, activations, the output
 * projection), the compute threads' idle time inside it, sampling, and what lies between the steps;
 * beside each decode matmul, the same matrices multiplied alone (kernel only) on one thread and on
 * the pool, so the end-to-end bytes per CPU-second can be held against the kernel's.
 *
 * @param prefill       parts of one prefill of promptTokens
 * @param decode        parts of genTokens decode steps together
 * @param prefillCpu    CPU time of the process during the prefill (all its threads: on a loaded machine
 *                      wall time mostly measures the other load)
 * @param decodeWall    wall time of the decode steps, sampling and loop included
 * @param decodeCpu     CPU time of the process during the decode steps
 * @param argmaxNanos   greedy sampling (argmax over the vocabulary), all steps
 * @param samplerNanos  the chat default sampler (temperature, top-p) over the same logits, all steps
 * @param aloneOneThread kernel only, one thread: per part, CPU nanoseconds for all layers' matrices once
 * @param alonePool     kernel only, on the pool's threads
 */
public record TokenProfile(int threads, int promptTokens, int genTokens, long[] bytesPerPart, long[] flopsPerToken,
                           PartTimer prefill, long prefillWall, long prefillCpu, PartTimer decode, long decodeWall, long decodeCpu,
                           long argmaxNanos, long samplerNanos, long[] aloneOneThread, long[] alonePool) {

    private static final Part[] MATMULS = {Part.WQ, Part.WK, Part.WV, Part.WO, Part.W_GATE, Part.W_UP, Part.W_DOWN, Part.OUTPUT};
    private static final int ALONE_PASSES = 3;

    /** Runs one profiled prefill of the prompt (in chunks of prefillChunk tokens) and genTokens profiled decode steps, then the kernels alone. */
    static TokenProfile measure(TextModel m, KvCache kv, int[] prompt, int prefillChunk, int genTokens) {
        ComputePool pool = ComputePool.current();
        PoolProfile loops = new PoolProfile(pool.threads());
        PartTimer prefill = new PartTimer(loops), decode = new PartTimer(loops);
        int vocab = m.config().vocabSize();
        Sampler sampler = new Sampler(SamplingParams.defaults(), vocab, prompt, null);
        long prefillWall, prefillCpu, decodeWall, decodeCpu, argmax = 0, sampling = 0;
        pool.profile(loops);
        try (SequenceCache seq = kv.newSequence()) {
            long t0 = System.nanoTime(), c0 = processCpu();
            float[] logits = ModelBench.prefill(m, seq, prompt, prefillChunk, prefill);
            long t1 = System.nanoTime(), c1 = processCpu();
            prefillWall = t1 - t0;
            prefillCpu = c1 - c0;
            for (int i = 0; i < genTokens; i++) {
                long s0 = System.nanoTime();
                int next = LogitsProcessors.argmax(logits, 0, vocab);
                long s1 = System.nanoTime();
                sampler.sample(logits, 0);
                long s2 = System.nanoTime();
                argmax += s1 - s0;
                sampling += s2 - s1;
                m.recycle(List.of(logits)); // as the scheduler hands each step's logits back once sampled
                logits = m.forward(List.of(BatchEntry.of(seq, next)), decode).getFirst();
            }
            decodeWall = System.nanoTime() - t1;
            decodeCpu = processCpu() - c1;
        } finally {
            pool.profile(null);
        }
        Checkpoint c = m.checkpoint();
        long[] bytes = new long[Part.values().length], flops = new long[Part.values().length];
        for (Part p : MATMULS) {
            for (Matrix w : matrices(c, p)) {
                bytes[p.ordinal()] += w.type().bytesFor((long) w.rows() * w.cols());
                flops[p.ordinal()] += 2L * w.rows() * w.cols();
            }
        }
        long[] alone1;
        try (ComputePool one = new ComputePool(1)) {
            alone1 = one.within(() -> matricesAlone(c, m.config().dim(), m.config().hiddenDim(), m.config().nHeads() * m.config().headDim(),
                    TokenProfile::threadCpu));
        }
        long[] aloneN = matricesAlone(c, m.config().dim(), m.config().hiddenDim(), m.config().nHeads() * m.config().headDim(),
                System::nanoTime);
        return new TokenProfile(pool.threads(), prompt.length, genTokens, bytes, flops, prefill, prefillWall, prefillCpu, decode, decodeWall, decodeCpu,
                argmax, sampling, alone1, aloneN);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long threadCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Per matmul part: the matrices of that weight tensor, layer by layer. */
    private static List<Matrix> matrices(Checkpoint c, Part p) {
        if (p == Part.OUTPUT) return List.of(c.output());
        return java.util.Arrays.stream(c.layers()).map(l -> matrix(l, p)).toList();
    }

    private static Matrix matrix(LayerWeights l, Part p) {
        return switch (p) {
            case WQ -> l.wq();
            case WK -> l.wk();
            case WV -> l.wv();
            case WO -> l.wo();
            case W_GATE -> l.wGate();
            case W_UP -> l.wUp();
            case W_DOWN -> l.wDown();
            default -> throw new IllegalArgumentException(p + " is not a layer matmul");
        };
    }

    /**
     * Each matrix's matvec alone, in decode order (layer by layer, then the output projection, so the
     * weights come from memory as they do in a step): per part, the best of a few passes, timed by clock.
     */
    private static long[] matricesAlone(Checkpoint c, int dim, int hidden, int qDim, LongSupplier clock) {
        long[] best = new long[Part.values().length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        int widest = Math.max(Math.max(dim, hidden), qDim);
        float[] x = new float[widest], out = new float[Math.max(widest, c.output().rows())];
        for (int i = 0; i < widest; i++) x[i] = (float) Math.sin(i);
        for (int pass = 0; pass < ALONE_PASSES; pass++) {
            long[] nanos = new long[best.length];
            for (LayerWeights l : c.layers()) {
                for (Part p : MATMULS) {
                    if (p == Part.OUTPUT) continue;
                    Matrix w = matrix(l, p);
                    long t0 = clock.getAsLong();
                    w.matvec(x, out);
                    nanos[p.ordinal()] += clock.getAsLong() - t0;
                }
            }
            long t0 = clock.getAsLong();
            c.output().matvec(x, out);
            nanos[Part.OUTPUT.ordinal()] += clock.getAsLong() - t0;
            for (int i = 0; i < best.length; i++) best[i] = Math.min(best[i], nanos[i]);
        }
        return best;
    }

    /** The two tables `jmistral bench --profile` prints. */
    public void print(PrintWriter out) {
        double ms = 1e6;
        out.printf("%nprefill profile: %d tokens, %d threads, %.1f ms (%.1f tok/s), %.1f CPU-s (%.1f tok/cpu-s)%n", promptTokens,
                threads, prefillWall / ms, promptTokens / (prefillWall / 1e9), prefillCpu / 1e9, promptTokens / (prefillCpu / 1e9));
        out.printf("  %-11s %9s %6s %13s %6s %12s%n", "part", "ms", "share", "idle thread-ms", "loops", "GFLOP/s");
        for (Part p : Part.values()) {
            long n = prefill.nanos[p.ordinal()];
            if (n == 0) continue;
            // the output projection runs for each chunk's last token only
            String gflops = flopsPerToken[p.ordinal()] == 0 || p == Part.OUTPUT ? ""
                    : String.format("%.1f", flopsPerToken[p.ordinal()] * (double) promptTokens / n);
            out.printf("  %-11s %9.2f %5.1f%% %13.2f %6d %12s%n", name(p), n / ms, 100.0 * n / prefillWall,
                    prefill.idleThreadNanos[p.ordinal()] / ms, prefill.loops[p.ordinal()], gflops);
        }
        out.printf("  %-11s %9.2f %5.1f%%%n", "(between)", (prefillWall - prefill.total()) / ms, 100.0 * (prefillWall - prefill.total()) / prefillWall);

        double steps = genTokens;
        out.printf("%ndecode profile: %d steps, %d threads, %.2f ms per token (%.2f tok/s), %.2f CPU-ms per token%n", genTokens,
                threads, decodeWall / ms / steps, steps / (decodeWall / 1e9), decodeCpu / ms / steps);
        out.printf("  %-11s %9s %6s %13s %6s %10s | %-27s%n", "part", "ms/token", "share", "idle thread-ms", "loops",
                "GB/thread-s", "alone: 1 thread GB/cpu-s, pool GB/thread-s");
        long matmulBytes = 0, alone1 = 0;
        for (Part p : Part.values()) {
            long n = decode.nanos[p.ordinal()];
            if (n == 0) continue;
            long b = bytesPerPart[p.ordinal()];
            String bw = "", alone = "";
            if (b > 0) {
                bw = String.format("%.1f", b * steps / ((double) n * threads));
                alone = String.format("%.1f, %.1f", b / (double) aloneOneThread[p.ordinal()], b / ((double) alonePool[p.ordinal()] * threads));
                matmulBytes += b;
                alone1 += aloneOneThread[p.ordinal()];
            }
            out.printf("  %-11s %9.3f %5.1f%% %13.3f %6.1f %10s | %s%n", name(p), n / ms / steps, 100.0 * n / decodeWall,
                    decode.idleThreadNanos[p.ordinal()] / ms / steps, decode.loops[p.ordinal()] / steps, bw, alone);
        }
        out.printf("  %-11s %9.3f %5.1f%%%n", "argmax", argmaxNanos / ms / steps, 100.0 * argmaxNanos / decodeWall);
        out.printf("  %-11s %9.3f %5.1f%%   (temperature %.2f, top-p: measured beside, not part of the step)%n", "sampler",
                samplerNanos / ms / steps, 100.0 * samplerNanos / decodeWall, SamplingParams.DEFAULT_TEMPERATURE);
        long between = decodeWall - decode.total() - argmaxNanos - samplerNanos;
        out.printf("  %-11s %9.3f %5.1f%%%n", "(between)", between / ms / steps, 100.0 * between / decodeWall);
        double stepBytes = matmulBytes;
        out.printf("  weights %.1f MB/token: end to end %.1f GB per CPU-second of the process (%.1f per thread-second of wall),"
                        + " kernels alone on 1 thread %.1f GB/cpu-s: end to end %.0f%% of it%n",
                stepBytes / 1e6, stepBytes * steps / decodeCpu, stepBytes * steps / ((double) decodeWall * threads), stepBytes / alone1,
                100 * (stepBytes * steps / decodeCpu) / (stepBytes / alone1));
        out.flush();
    }

    private static String name(Part p) {
        return p.name().toLowerCase(java.util.Locale.ROOT);
    }
}
