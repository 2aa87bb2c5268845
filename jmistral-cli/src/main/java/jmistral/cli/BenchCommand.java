package jmistral.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import jmistral.generate.LogitsProcessors;
import jmistral.model.BatchEntry;
import jmistral.model.Checkpoint;
import jmistral.model.KvCache;
import jmistral.model.LanguageModel;
import jmistral.model.SequenceCache;
import jmistral.tensor.ComputePool;
import jmistral.tensor.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral bench -m MODEL}: prefill and decode speed, and how much of the machine's memory
 * bandwidth decode uses (decode reads every weight once per token, so bandwidth bounds it).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure prefill tok/s, decode tok/s and decode memory-bandwidth use.",
                "Numbers depend on other load on the machine."})
final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "512", description = "prefill length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", paramLabel = "N", defaultValue = "128", description = "decode steps (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--bandwidth-mb", paramLabel = "MB", defaultValue = "1024", description = "buffer for the bandwidth test (default: ${DEFAULT-VALUE})")
    int bandwidthMb;

    @Override
    public Integer call() {
        if (promptTokens < 1 || genTokens < 1) throw new IllegalArgumentException("--prompt-tokens and --gen-tokens must be >= 1");
        PrintWriter out = spec.commandLine().getOut();
        try (ModelSession session = ModelSession.open(model)) {
            LanguageModel m = session.loaded.model();
            int vocab = m.config().vocabSize();
            int[] prompt = new SplittableRandom(1).ints(promptTokens, Math.min(1000, vocab - 1), vocab).toArray();
            try (KvCache kv = m.createCache(promptTokens + genTokens + 64, model.kvType)) {
                try (SequenceCache warm = kv.newSequence()) {
                    // warm-up: page-in of the weights and JIT of both paths (prefill batches above one
                    // vector of tokens take the wide matmul; decode steps the fused dot), so neither
                    // timing below includes kernels still running interpreted
                    m.forward(List.of(BatchEntry.of(warm, java.util.Arrays.copyOf(prompt, Math.min(48, promptTokens)))));
                    for (int i = 0; i < 4; i++) m.forward(List.of(BatchEntry.of(warm, prompt[i % promptTokens])));
                }
                try (SequenceCache seq = kv.newSequence()) {
                    long t0 = System.nanoTime();
                    float[] logits = m.forward(List.of(BatchEntry.of(seq, prompt))).getFirst();
                    long t1 = System.nanoTime();
                    for (int i = 0; i < genTokens; i++) {
                        int next = LogitsProcessors.argmax(logits, 0, vocab);
                        logits = m.forward(List.of(BatchEntry.of(seq, next))).getFirst();
                    }
                    long t2 = System.nanoTime();
                    double prefill = promptTokens / ((t1 - t0) / 1e9), decode = genTokens / ((t2 - t1) / 1e9);
                    long perToken = weightBytesPerToken(session.loaded.model().checkpoint());
                    double bandwidth = MemoryBandwidth.measure((long) bandwidthMb << 20, 5);
                    double use = perToken * decode / bandwidth;
                    out.printf("model            %s (%d layers, dim %d, %s)%n", session.loaded.path(), m.config().nLayers(),
                            m.config().dim(), session.loaded.model().checkpoint().layers()[0].wq().type());
                    out.printf("threads          %d%n", ComputePool.shared().threads());
                    out.printf("prefill          %.1f tok/s (%d tokens)%n", prefill, promptTokens);
                    out.printf("decode           %.2f tok/s (%d tokens)%n", decode, genTokens);
                    out.printf("weights/token    %.1f MB%n", perToken / 1e6);
                    out.printf("memory bandwidth %.1f GB/s (streaming read, %d MB)%n", bandwidth / 1e9, bandwidthMb);
                    out.printf("decode bw use    %.0f%% (weights/token x decode tok/s / bandwidth)%n", use * 100);
                    out.flush();
                }
            }
            return 0;
        }
    }

    /** Bytes of weights one decode step reads: every matrix but the embedding (one row of it is read). */
    static long weightBytesPerToken(Checkpoint c) {
        Matrix e = c.embedding();
        return c.bytes() - e.type().bytesFor((long) e.rows() * e.cols());
    }
}
