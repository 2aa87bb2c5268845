package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import jmistral.model.KvCacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Speculative decoding by prompt lookup in the scheduler, on toy models whose output repeats itself
 * often (so drafts are accepted) but not always (so they are rejected and the cache is rolled back):
 * the output must be the output of plain decoding, token for token and event for event.
 */
@Timeout(120)
class SpeculativeDecodingTest {

    static final int VOCAB = SchedulerTest.VOCAB;

    /**
     * The toy model (logits a pseudo-random function of the whole history), plus a boost for the token
     * `period` places back, except at one history in sixteen: greedy output mostly repeats with that
     * period and sometimes breaks off, and any mistake in the cache changes it.
     */
    static final class RepetitiveToy extends ToyModel {
        final int period;
        final float boost;

        RepetitiveToy(int period, float boost) {
            super(VOCAB, 4, -1, 0);
            this.period = period;
            this.boost = boost;
        }

        @Override float[] logits(long[] h) {
            float[] l = super.logits(h);
            boolean repeats = (mix(Float.floatToIntBits(l[0])) & 15) != 0;
            if (h.length >= period && repeats) l[(int) Math.floorMod(h[h.length - period], (long) vocab)] += boost;
            return l;
        }
    }

    /**
     * K draft tokens, steps of up to 16 tokens: room for drafts beside 8 sequences decoding, so that drafts run in
     * batches however the requests' first steps fall (the default, 8, leaves a full batch without:
     * {@link #aFullBatchDraftsNothingByDefault}).
     */
    static SchedulerConfig config(int draftTokens) {
        return SchedulerConfig.defaults().withMaxParallel(8).withLoopGuard(LoopGuard.Config.DISABLED)
                .withSpeculation(Speculation.DEFAULT.withDraftTokens(draftTokens).withStepTokens(16));
    }

    @Test
    void greedyOutputEqualsPlainGreedyOverLongGenerations() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 10);
        List<int[]> prompts = List.of(SchedulerTest.prompt(1, 9), SchedulerTest.prompt(2, 30), SchedulerTest.prompt(3, 4));
        SamplingParams p = SamplingParams.greedy().withMaxTokens(300);
        try (var kv = model.createCache(4 * 400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(8).withPrefixCacheEntries(0))) {
            List<SequenceHandle> hs = new ArrayList<>();
            for (int[] pr : prompts) hs.add(scheduler.submit(SequenceRequest.of(pr, p)));
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult r = hs.get(i).await();
                assertEquals(FinishReason.LENGTH, r.reason(), String.valueOf(r.error()));
                assertArrayEquals(ReferenceGeneration.generate(model, prompts.get(i), p), r.tokens(), "request " + i);
            }
            SchedulerMetrics m = scheduler.metrics();
            assertTrue(m.acceptedTokens() > 300, "drafts were accepted: " + m);
            assertTrue(m.acceptedTokens() < m.draftedTokens(), "and some rejected: " + m);
            assertEquals(900, m.generatedTokens());
            // fewer steps than tokens: each accepted draft token is one step saved
            assertTrue(m.steps() < 900 - m.acceptedTokens() / 3, m.toString());
            assertEquals(kv.totalBlocks(), kv.freeBlocks(), "rolled-back blocks were freed");
        }
    }

    @Test
    void sameSeedGivesTheSameSampledTokensAsPlainDecoding() throws Exception {
        RepetitiveToy model = new RepetitiveToy(2, 7);
        try (var kv = model.createCache(4 * 800, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(6))) {
            List<SamplingParams> params = new ArrayList<>();
            List<SequenceHandle> hs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SamplingParams p = SamplingParams.defaults().withTemperature(0.5 + 0.1 * i).withSeed(40L + i).withMaxTokens(80)
                        .withTopK(i % 3 == 0 ? 0 : 30).withTopP(i % 2 == 0 ? 1.0 : 0.95).withRepetitionPenalty(i == 5 ? 1.1 : 1.0);
                params.add(p);
                hs.add(scheduler.submit(SequenceRequest.of(SchedulerTest.prompt(70 + i, 6 + i), p)));
            }
            for (int i = 0; i < hs.size(); i++) {
                assertArrayEquals(ReferenceGeneration.generate(model, SchedulerTest.prompt(70 + i, 6 + i), params.get(i)),
                        hs.get(i).await().tokens(), "request " + i);
            }
            assertTrue(scheduler.metrics().acceptedTokens() > 0, scheduler.metrics().toString());
        }
    }

    /**
     * The tokens follow the model's distribution: for each generated token x with next-token
     * probabilities p (softmax of the logits at temperature 1), the randomized probability integral
     * transform u = P(X < x) + v p(x), v uniform, is uniform on [0, 1] and independent across steps
     * exactly when every token is drawn from p given the tokens before. A Kolmogorov-Smirnov test
     * over all tokens of 240 fixed seeds, at a level of 0.001. Accepting a draft token more often
     * than p(draft) (or rejecting it too often) moves mass onto (off) the repeated token and fails it.
     */
    @Test
    void sampledOutputFollowsTheModelsDistribution() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 7);
        int seeds = 240, tokens = 40;
        List<int[]> prompts = new ArrayList<>();
        List<SequenceHandle> hs = new ArrayList<>();
        SchedulerMetrics m;
        try (var kv = model.createCache(4 * 1000, KvCacheType.F32);
             // eight sequences at a time, each drafting (steps of up to 8 x 9 tokens: by default a full batch drafts nothing)
             var scheduler = new Scheduler(model, kv, config(8).withMaxQueue(seeds).withSpeculation(Speculation.DEFAULT.withStepTokens(72)))) {
            for (int i = 0; i < seeds; i++) {
                prompts.add(SchedulerTest.prompt(1000 + i % 8, 12));
                hs.add(scheduler.submit(SequenceRequest.of(prompts.get(i),
                        SamplingParams.defaults().withTemperature(1.0).withSeed(5000L + i).withMaxTokens(tokens))));
            }
            for (SequenceHandle h : hs) h.await();
            m = scheduler.metrics();
        }
        SplittableRandom v = new SplittableRandom(7);
        double[] u = new double[seeds * tokens];
        int n = 0;
        for (int i = 0; i < seeds; i++) {
            long[] history = Arrays.stream(prompts.get(i)).asLongStream().toArray();
            for (int x : hs.get(i).await().tokens()) {
                double[] p = softmax(model.logits(history));
                double below = 0;
                for (int t = 0; t < x; t++) below += p[t];
                u[n++] = below + v.nextDouble() * p[x];
                history = Arrays.copyOf(history, history.length + 1);
                history[history.length - 1] = x;
            }
        }
        assertEquals(seeds * tokens, n);
        Arrays.sort(u);
        double d = 0;
        for (int i = 0; i < n; i++) d = Math.max(d, Math.max((i + 1.0) / n - u[i], u[i] - (double) i / n));
        assertTrue(d < 1.95 / Math.sqrt(n), "KS distance " + d + " over " + n + " tokens");
        // both branches of the acceptance rule ran many times
        assertTrue(m.acceptedTokens() > 500 && m.draftedTokens() - m.acceptedTokens() > 500, m.toString());
    }

    private static double[] softmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float x : l) max = Math.max(max, x);
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp(l[i] - max);
        for (int i = 0; i < l.length; i++) p[i] /= sum;
        return p;
    }

    /**
     * At every third token only ids below 40 are allowed; records each token it advances over. The
     * scheduler must advance it over the tokens kept and nothing else, and cut drafts it refuses.
     */
    static final class EveryThirdTokenLow implements TokenConstraint {
        final List<Integer> advanced = new ArrayList<>();
        int cutDrafts;

        private static boolean allowed(int position, int token) { return position % 3 != 2 || token < 40; }

        @Override public BitSet allowedTokens() {
            if (advanced.size() % 3 != 2) return null;
            BitSet b = new BitSet();
            b.set(0, 40);
            return b;
        }

        @Override public void advance(int token) {
            if (!allowed(advanced.size(), token)) throw new IllegalArgumentException("token " + token + " not allowed here");
            advanced.add(token);
        }

        @Override public int acceptablePrefix(int[] tokens, int n) {
            int i = 0;
            while (i < n && allowed(advanced.size() + i, tokens[i])) i++;
            if (i < n) cutDrafts++;
            return i;
        }
    }

    @Test
    void constraintAdvancesOnlyOverKeptTokensAndCutsDrafts() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 10);
        int[] prompt = SchedulerTest.prompt(5, 10);
        SamplingParams p = SamplingParams.greedy().withMaxTokens(200);
        EveryThirdTokenLow constraint = new EveryThirdTokenLow();
        try (var kv = model.createCache(4 * 200, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(8))) {
            GenerationResult r = scheduler.submit(SequenceRequest.of(prompt, p).withConstraint(constraint)).await();
            assertEquals(FinishReason.LENGTH, r.reason(), String.valueOf(r.error()));
            assertArrayEquals(ReferenceGeneration.generate(model, prompt, null, p, new EveryThirdTokenLow()), r.tokens());
            assertArrayEquals(r.tokens(), constraint.advanced.stream().mapToInt(Integer::intValue).toArray());
            assertTrue(scheduler.metrics().acceptedTokens() > 0, scheduler.metrics().toString());
            assertTrue(constraint.cutDrafts > 0, "no draft was cut by the constraint");
        }
    }

    @Test
    void imagesInThePromptAndRollbackGiveThePlainOutput() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 10);
        int img = 10;
        int[] prompt = {1, 5, img, img, img, img, 6, 7, img, img, img, img};    // the prompt ends in a picture
        float[][] rows = new float[prompt.length][];
        for (int i = 0; i < prompt.length; i++) if (prompt[i] == img) rows[i] = new float[]{i, 0.5f * i};
        SamplingParams p = SamplingParams.greedy().withMaxTokens(120);
        int[] expected = ReferenceGeneration.generate(model, prompt, rows, p, null);
        try (var kv = model.createCache(4 * 200, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(8))) {
            GenerationResult first = scheduler.submit(SequenceRequest.of(prompt, p).withEmbeddings(rows)).await();
            assertArrayEquals(expected, first.tokens());
            // again: all but the last prompt position come from the prefix cache, so the first step is a
            // decode of an image position with a draft behind it
            GenerationResult again = scheduler.submit(SequenceRequest.of(prompt, p).withEmbeddings(rows)).await();
            assertEquals(prompt.length - 1, again.usage().cachedPromptTokens());
            assertArrayEquals(expected, again.tokens());
            assertTrue(scheduler.metrics().acceptedTokens() > 0, scheduler.metrics().toString());
            assertTrue(scheduler.metrics().acceptedTokens() < scheduler.metrics().draftedTokens(), scheduler.metrics().toString());
        }
    }

    /** Everything a caller sees: tokens, streamed text, logprobs, the end. */
    private static List<GenerationEvent> events(RepetitiveToy model, SchedulerConfig config, SequenceRequest request) {
        try (var kv = model.createCache(4 * 300, KvCacheType.F32); var scheduler = new Scheduler(model, kv, config)) {
            List<GenerationEvent> events = new ArrayList<>();
            new Generator(scheduler).generate(request, events::add);
            return events;
        }
    }

    @Test
    void stopStringsLoopGuardLogprobsAndMaxTokensSeeThePlainTokens() throws Exception {
        RepetitiveToy model = new RepetitiveToy(4, 10);
        int[] prompt = SchedulerTest.prompt(9, 7);
        TextDecoder decoder = t -> "<" + t + ">";
        SamplingParams p = SamplingParams.greedy().withMaxTokens(150).withLogprobs(3);
        List<GenerationEvent> free = events(model, config(0), new SequenceRequest(prompt, null, p, null, decoder, null));
        // a stop string made of the 41st and 42nd tokens' text, far into the repetition
        List<Integer> ids = free.stream().filter(e -> e instanceof GenerationEvent.Token).map(e -> ((GenerationEvent.Token) e).token()).toList();
        String stop = ">" + "<" + ids.get(41) + ">";
        List<SequenceRequest> requests = List.of(
                new SequenceRequest(prompt, null, p, null, decoder, null),
                new SequenceRequest(prompt, null, p.withStop(List.of(stop)), null, decoder, null),
                new SequenceRequest(prompt, null, p.withMaxTokens(37), null, decoder, null),
                new SequenceRequest(prompt, null, p, null, decoder, new LoopGuard.Config(16, 3, 24)));
        for (SequenceRequest r : requests) {
            List<GenerationEvent> plain = events(model, config(0), r), speculative = events(model, config(8), r);
            assertEquals(plain, speculative);
        }
        assertEquals(FinishReason.LOOP, ((GenerationEvent.Finished) events(model, config(8), requests.get(3)).getLast()).reason());
        assertEquals(FinishReason.STOP, ((GenerationEvent.Finished) events(model, config(8), requests.get(1)).getLast()).reason());
    }

    @Test
    void stopTokenInsideAnAcceptedDraftEndsThereAndKeepsTheCacheConsistent() throws Exception {
        // the stop token is part of the repeated pattern: the draft that contains it is accepted up to it
        RepetitiveToy model = new RepetitiveToy(3, 9);
        int eos = SchedulerTest.EOS;
        int[] prompt = {1, 20, eos, 21, 20, eos, 21, 20};
        SamplingParams p = SamplingParams.greedy().withMaxTokens(50).withStopTokenIds(eos);
        try (var kv = model.createCache(4 * 100, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(8))) {
            GenerationResult r = scheduler.submit(SequenceRequest.of(prompt, p)).await();
            assertArrayEquals(ReferenceGeneration.generate(model, prompt, p), r.tokens());
            assertEquals(FinishReason.STOP, r.reason());
            // the finished sequence went to the prefix cache cut back to its history: a follow-up turn
            // reusing it gets the reference output
            int[] next = SchedulerTest.concat(SchedulerTest.concat(prompt, r.tokens()), new int[]{eos, 30, 31, 30});
            GenerationResult r2 = scheduler.submit(SequenceRequest.of(next, p)).await();
            assertTrue(r2.usage().cachedPromptTokens() > 0);
            assertArrayEquals(ReferenceGeneration.generate(model, next, p), r2.tokens());
        }
    }

    @Test
    void listenerAndMetricsCountDraftedAndAcceptedTokens() throws Exception {
        RepetitiveToy model = new RepetitiveToy(2, 8);
        List<SchedulerListener.StepStats> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var kv = model.createCache(4 * 100, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config(4))) {
            scheduler.addListener(new SchedulerListener() {
                @Override public void stepDone(StepStats s) { steps.add(s); }
            });
            GenerationResult r = scheduler.submit(SequenceRequest.of(new int[]{1, 7, 8, 7, 8}, SamplingParams.greedy().withMaxTokens(60))).await();
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(60, r.tokens().length);
            assertEquals(m.draftedTokens(), steps.stream().mapToLong(SchedulerListener.StepStats::draftTokens).sum());
            assertEquals(m.forwardedTokens(), steps.stream().mapToLong(SchedulerListener.StepStats::tokens).sum());
            assertTrue(steps.stream().allMatch(s -> s.draftTokens() <= 4), "more than K draft tokens per sequence");
            assertTrue(m.draftAcceptance() > 0 && m.draftAcceptance() <= 1, m.toString());
            assertEquals(m.steps(), steps.size());
            // each step forwards the newest token (the whole prompt at first) and its draft, and yields
            // one token plus the draft tokens accepted (drafts never reach past max_tokens)
            assertEquals(5 + (m.steps() - 1) + m.draftedTokens(), m.forwardedTokens());
            assertEquals(60, m.steps() + m.acceptedTokens());
        }
    }

    /**
     * A toy model whose greedy output is A B C0 A B C1 A B C2 ...: the 2-gram A B comes back every third token, and
     * prompt lookup drafts what followed it last time (C(k-1) ...), which the model never repeats.
     */
    static final class NeverRepeatsToy extends ToyModel {
        NeverRepeatsToy() {
            super(VOCAB, 4, -1, 0);
        }

        @Override float[] logits(long[] h) {
            float[] l = new float[vocab];
            int p = h.length;
            l[p % 3 == 0 ? 1 : p % 3 == 1 ? 2 : 3 + (p / 3) % (vocab - 3)] = 10;
            return l;
        }
    }

    @Test
    void whollyRejectedDraftsBackOff() throws Exception {
        NeverRepeatsToy model = new NeverRepeatsToy();
        List<SchedulerListener.StepStats> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] prompt = {1, 2, 3};
        SamplingParams p = SamplingParams.greedy().withMaxTokens(96);
        try (var kv = model.createCache(4 * 120, KvCacheType.F32); var scheduler = new Scheduler(model, kv, config(8))) {
            scheduler.addListener(new SchedulerListener() {
                @Override public void stepDone(StepStats s) { steps.add(s); }
            });
            assertArrayEquals(ReferenceGeneration.generate(model, prompt, p), scheduler.submit(SequenceRequest.of(prompt, p)).await().tokens());
            assertEquals(0, scheduler.metrics().acceptedTokens(), "the model never follows a draft");
        }
        // a match every third step (32 of them) without pauses; with pauses of 1, 2, 4, 8, 16, 32 steps
        // after each rejected draft, a draft at most every 2, 3, 5, 9, 17, 33 steps
        long drafting = steps.stream().filter(st -> st.draftTokens() > 0).count();
        assertTrue(drafting >= 3 && drafting <= 7, drafting + " steps verified drafts that were all rejected");
    }

    @Test
    void draftsFillADecodeStepOnlyUpToItsStepTokens() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 10);
        List<SchedulerListener.StepStats> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        SchedulerConfig config = config(8).withSpeculation(Speculation.DEFAULT.withStepTokens(10));
        java.util.concurrent.CountDownLatch allSubmitted = new java.util.concurrent.CountDownLatch(1);
        model.beforeForward = b -> {                    // all six prompts go in the first step: later steps only decode
            try {
                allSubmitted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (var kv = model.createCache(4 * 800, KvCacheType.F32); var scheduler = new Scheduler(model, kv, config)) {
            scheduler.addListener(new SchedulerListener() {
                @Override public void stepDone(StepStats s) { steps.add(s); }
            });
            List<SequenceHandle> hs = new ArrayList<>();
            SamplingParams p = SamplingParams.greedy().withMaxTokens(100);
            for (int i = 0; i < 6; i++) hs.add(scheduler.submit(SequenceRequest.of(SchedulerTest.prompt(90 + i, 8), p)));
            allSubmitted.countDown();
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(ReferenceGeneration.generate(model, SchedulerTest.prompt(90 + i, 8), p), hs.get(i).await().tokens());
            }
        }
        assertTrue(steps.stream().anyMatch(s -> s.draftTokens() > 0));
        for (SchedulerListener.StepStats s : steps) {
            boolean decodeOnly = s.tokens() - s.draftTokens() == s.sequences();   // one history token per sequence
            if (decodeOnly) assertTrue(s.tokens() <= 10, "a decode step with drafts forwarded " + s.tokens() + " tokens");
        }
        assertTrue(steps.stream().anyMatch(s -> s.sequences() == 6 && s.draftTokens() > 0), "six sequences decoded with drafts");
    }

    @Test
    void aFullBatchDraftsNothingByDefault() throws Exception {
        RepetitiveToy model = new RepetitiveToy(3, 10);
        List<SchedulerListener.StepStats> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch allSubmitted = new java.util.concurrent.CountDownLatch(1);
        model.beforeForward = b -> {                    // all eight prompts go in the first step
            try {
                allSubmitted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        SchedulerConfig defaults = SchedulerConfig.defaults().withLoopGuard(LoopGuard.Config.DISABLED);
        assertEquals(Speculation.DEFAULT, defaults.speculation());
        try (var kv = model.createCache(4 * 800, KvCacheType.F32); var scheduler = new Scheduler(model, kv, defaults)) {
            scheduler.addListener(new SchedulerListener() {
                @Override public void stepDone(StepStats s) { steps.add(s); }
            });
            List<SequenceHandle> hs = new ArrayList<>();
            List<SamplingParams> ps = new ArrayList<>();
            for (int i = 0; i < 8; i++) { // answers of 30 to 100 tokens: the batch shrinks as they finish
                ps.add(SamplingParams.greedy().withMaxTokens(30 + 10 * i));
                hs.add(scheduler.submit(SequenceRequest.of(SchedulerTest.prompt(200 + i, 8), ps.get(i))));
            }
            allSubmitted.countDown();
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(ReferenceGeneration.generate(model, SchedulerTest.prompt(200 + i, 8), ps.get(i)), hs.get(i).await().tokens());
            }
        }
        for (SchedulerListener.StepStats s : steps) {
            assertTrue(s.tokens() - s.draftTokens() > s.sequences() || s.tokens() <= 8, "a decode step with drafts forwarded " + s.tokens() + " tokens");
            if (s.sequences() == 8) assertEquals(0, s.draftTokens(), "eight sequences decoding drafted");
        }
        assertTrue(steps.stream().anyMatch(s -> s.sequences() < 8 && s.draftTokens() > 0), "fewer sequences drafted into the step's 8 tokens");
    }
}
