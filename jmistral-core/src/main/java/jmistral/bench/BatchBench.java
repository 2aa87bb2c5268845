package jmistral.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.generate.GenerationEvent;
import jmistral.generate.LogitsProcessors;
import jmistral.generate.SamplingParams;
import jmistral.generate.Scheduler;
import jmistral.generate.SchedulerConfig;
import jmistral.generate.SchedulerMetrics;
import jmistral.generate.SequenceHandle;
import jmistral.generate.SequenceRequest;
import jmistral.generate.Speculation;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.SequenceCache;
import jmistral.model.TextModel;

/**
 * What many tokens per weight read buy (issue 13): the aggregate decode speed of N sequences decoding
 * together (one forward per step, each matmul over N tokens), the time one forward takes to verify K
 * draft tokens (K + 1 positions of one sequence) against one plain decode step, and greedy generation
 * through the scheduler with speculative decoding against without.
 */
public final class BatchBench {

    /** Verify and decode steps are timed alternately this many times each; the medians are reported. */
    private static final int VERIFY_REPEATS = 7;
    /** Prompt tokens of the scheduler runs (the speculative comparison is about decode). */
    private static final int SCHEDULER_PROMPT = 32;

    /**
     * @param batch                   sequences decoding together
     * @param batchTokensPerSecond    all of their tokens per second of batched decode
     * @param draftTokens             K of the verify timing and the speculative run
     * @param verifyMillis            median time of one forward of K + 1 positions (logits at all of them)
     * @param decodeStepMillis        median time of one plain decode step, timed alternately with it
     * @param plainTokensPerSecond    greedy generation through the scheduler, speculation off
     * @param speculativeTokensPerSecond the same with K draft tokens
     * @param drafted                 draft tokens the speculative run verified
     * @param accepted                of which accepted
     * @param profile                 where the time of a batched step goes (with --profile), else null
     */
    public record Report(int batch, int steps, double batchTokensPerSecond, int draftTokens, double verifyMillis,
                         double decodeStepMillis, double plainTokensPerSecond, double speculativeTokensPerSecond,
                         long drafted, long accepted, BatchProfile profile) {

        public void print(PrintWriter out) {
            if (batch > 1) out.printf("decode x%-7d %.2f tok/s aggregate (%d sequences x %d steps, one forward per step)%n",
                    batch, batchTokensPerSecond, batch, steps);
            if (draftTokens > 0) {
                out.printf("verify %d drafts %.1f ms per forward of %d positions, %.2fx one decode step (%.1f ms; medians of %d, alternated)%n",
                        draftTokens, verifyMillis, draftTokens + 1, verifyMillis / decodeStepMillis, decodeStepMillis, VERIFY_REPEATS);
                out.printf("speculative      %.2f tok/s greedy with %d draft tokens vs %.2f tok/s without; drafted %d, accepted %d (%.0f%%)%n",
                        speculativeTokensPerSecond, draftTokens, plainTokensPerSecond, drafted, accepted,
                        drafted == 0 ? 0.0 : 100.0 * accepted / drafted);
            }
            if (profile != null) profile.print(out);
        }
    }

    private BatchBench() {
    }

    /**
     * @param prompt  random tokens; the batched sequences share its KV (forked), each then decodes its
     *                own tokens for `steps` steps
     * @param profile also profile the batched steps ({@link BatchProfile})
     */
    static Report run(TextModel m, KvCache kv, int[] prompt, int batch, int steps, int draftTokens, boolean profile) {
        double batchRate = batch > 1 ? batchedDecode(m, kv, prompt, batch, steps) : 0;
        BatchProfile batchProfile = batch > 1 && profile ? BatchProfile.measure(m, kv, prompt, batch, steps) : null;
        double verify = 0, step = 0, plain = 0, speculative = 0;
        long drafted = 0, accepted = 0;
        if (draftTokens > 0) {
            double[] times = verifyAgainstDecode(m, kv, prompt, draftTokens);
            verify = times[0];
            step = times[1];
            int[] short_ = Arrays.copyOf(prompt, Math.min(SCHEDULER_PROMPT, prompt.length));
            plain = generate(m, kv, short_, steps, Speculation.OFF, null);
            long[] counts = new long[2];
            speculative = generate(m, kv, short_, steps, Speculation.DEFAULT.withDraftTokens(draftTokens), counts);
            drafted = counts[0];
            accepted = counts[1];
        }
        return new Report(batch, steps, batchRate, draftTokens, verify, step, plain, speculative, drafted, accepted, batchProfile);
    }

    /**
     * Untimed batched steps before the timed ones: the batch's kernels (products of 8 tokens, its attention) are not
     * the single sequence's that the model's warm-up compiled; without these, the first timed steps ran them in C1 or
     * waited for C2 (8 sequences read 24.7-34.2 tok/s timed against 43 in the profile that followed, same process).
     */
    private static final int WARMUP_STEPS = 4;

    /** N sequences forked from the prefilled prompt, `steps` greedy steps of all of them per forward (after {@link #WARMUP_STEPS}). */
    private static double batchedDecode(TextModel m, KvCache kv, int[] prompt, int batch, int steps) {
        int vocab = m.config().vocabSize();
        try (SequenceCache base = kv.newSequence()) {
            m.forward(List.of(BatchEntry.of(base, Arrays.copyOf(prompt, prompt.length - 1))));
            List<SequenceCache> seqs = new ArrayList<>();
            try {
                int[] next = new int[batch];
                for (int i = 0; i < batch; i++) {
                    seqs.add(base.fork(base.length()));
                    next[i] = prompt[(prompt.length - 1 - i + prompt.length) % prompt.length];   // each its own token
                }
                long t0 = 0;
                for (int s = -WARMUP_STEPS; s < steps; s++) {
                    if (s == 0) t0 = System.nanoTime();
                    List<BatchEntry> entries = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) entries.add(BatchEntry.of(seqs.get(i), next[i]));
                    List<float[]> logits = m.forward(entries);
                    for (int i = 0; i < batch; i++) next[i] = LogitsProcessors.argmax(logits.get(i), 0, vocab);
                    m.recycle(logits); // as the scheduler hands each step's logits back once sampled
                }
                long t1 = System.nanoTime();
                return (double) batch * steps / ((t1 - t0) / 1e9);
            } finally {
                for (SequenceCache s : seqs) s.close();
            }
        }
    }

    /** {median ms of a K + 1 position verify, median ms of a decode step}, timed alternately at the same length. */
    private static double[] verifyAgainstDecode(TextModel m, KvCache kv, int[] prompt, int k) {
        try (SequenceCache seq = kv.newSequence()) {
            m.forward(List.of(BatchEntry.of(seq, Arrays.copyOf(prompt, prompt.length - 1))));
            int at = seq.length();
            int[] draft = new int[k + 1];
            for (int i = 0; i <= k; i++) draft[i] = prompt[(at + i) % prompt.length];
            double[] verify = new double[VERIFY_REPEATS], step = new double[VERIFY_REPEATS];
            for (int r = -1; r < VERIFY_REPEATS; r++) {                 // r = -1: one untimed round (compiles the K+1 shape)
                long t0 = System.nanoTime();
                m.forward(List.of(new BatchEntry(seq, draft, null, true)));
                long t1 = System.nanoTime();
                seq.truncate(at);                                       // the rollback of a rejected draft
                m.forward(List.of(BatchEntry.of(seq, draft[0])));
                long t2 = System.nanoTime();
                seq.truncate(at);
                if (r >= 0) {
                    verify[r] = (t1 - t0) / 1e6;
                    step[r] = (t2 - t1) / 1e6;
                }
            }
            return new double[]{median(verify), median(step)};
        }
    }

    /**
     * Greedy tokens per second through a one-place scheduler, from the first token to the last (the
     * prefill is not counted); counts = {drafted, accepted} when not null.
     */
    private static double generate(TextModel m, KvCache kv, int[] prompt, int tokens, Speculation speculation, long[] counts) {
        SchedulerConfig config = SchedulerConfig.defaults().withMaxParallel(1).withPrefixCacheEntries(0).withSpeculation(speculation);
        try (Scheduler scheduler = new Scheduler(m, kv, config)) {
            SequenceHandle h = scheduler.submit(SequenceRequest.of(prompt, SamplingParams.greedy().withMaxTokens(tokens + 1)));
            long first = -1, last = -1;
            int n = 0;
            for (GenerationEvent e; (e = h.take()) != null; ) {
                if (e instanceof GenerationEvent.Token) {
                    if (first < 0) first = System.nanoTime();
                    else n++;
                    last = System.nanoTime();
                }
            }
            SchedulerMetrics metrics = scheduler.metrics();
            if (counts != null) {
                counts[0] = metrics.draftedTokens();
                counts[1] = metrics.acceptedTokens();
            }
            return n == 0 ? 0 : n / ((last - first) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
