package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jmistral.model.KvCacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scheduler against a deterministic toy model, held against {@link ReferenceGeneration}. */
@Timeout(60)
class SchedulerTest {

    static final int VOCAB = 97;
    static final int EOS = 2;

    static int[] prompt(long seed, int n) {
        Random r = new Random(seed);
        int[] p = new int[n];
        p[0] = 1;
        for (int i = 1; i < n; i++) p[i] = 3 + r.nextInt(VOCAB - 3);
        return p;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static SchedulerConfig config() {
        return SchedulerConfig.defaults().withMaxParallel(4).withMaxBatchTokens(9).withLoopGuard(LoopGuard.Config.DISABLED);
    }

    @Test
    void concurrentRequestsMatchEachRunAlone() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, EOS, 40);
        int[] shared = prompt(7, 13);
        List<int[]> prompts = List.of(prompt(1, 5), prompt(2, 23), concat(shared, prompt(3, 4)),
                concat(shared, prompt(4, 9)), prompt(5, 1), prompt(6, 31), concat(shared, prompt(8, 2)));
        List<SamplingParams> params = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            SamplingParams p = i % 2 == 0 ? SamplingParams.greedy()
                    : SamplingParams.defaults().withTemperature(0.9).withTopP(0.9).withTopK(20).withSeed(100L + i);
            params.add(p.withMaxTokens(12 + 3 * i).withStopTokenIds(EOS));
        }
        try (var kv = model.createCache(4 * 200, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            List<SequenceHandle> handles = new ArrayList<>();
            CountDownLatch submitted = new CountDownLatch(prompts.size());
            List<Thread> threads = new ArrayList<>();
            SequenceHandle[] slots = new SequenceHandle[prompts.size()];
            for (int i = 0; i < prompts.size(); i++) {
                int k = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    slots[k] = scheduler.submit(SequenceRequest.of(prompts.get(k), params.get(k)));
                    submitted.countDown();
                }));
            }
            assertTrue(submitted.await(10, TimeUnit.SECONDS));
            for (SequenceHandle h : slots) handles.add(h);
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult r = handles.get(i).await();
                int[] expected = ReferenceGeneration.generate(model, prompts.get(i), params.get(i));
                assertArrayEquals(expected, r.tokens(), "request " + i);
                assertEquals(expected.length < params.get(i).maxTokens() ? FinishReason.STOP : FinishReason.LENGTH, r.reason());
                assertEquals(prompts.get(i).length, r.usage().promptTokens());
            }
            // batching happened: some step forwarded several sequences, mixing a prefill chunk and decodes
            assertTrue(model.steps.stream().anyMatch(s -> s.size() > 1), "no step batched several sequences");
            assertTrue(model.steps.stream().anyMatch(s -> s.stream().anyMatch(f -> f.tokens() > 1)
                    && s.stream().anyMatch(f -> f.tokens() == 1)), "no step mixed prefill and decode");
            assertTrue(model.steps.stream().allMatch(s -> s.size() <= 4), "more than maxParallel in a step");
            // chunked prefill: the 31-token prompt never went in one piece beyond the budget
            assertTrue(model.steps.stream().allMatch(s -> s.stream().mapToInt(ToyModel.Forwarded::tokens).sum()
                    <= Math.max(9, s.size())));
        }
    }

    @Test
    void requestJoiningMidBatchGetsTheSameTokens() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        SamplingParams p1 = SamplingParams.defaults().withTemperature(1.0).withSeed(5L).withMaxTokens(40);
        SamplingParams p2 = SamplingParams.greedy().withMaxTokens(10);
        int[] a = prompt(11, 6), b = prompt(12, 17);
        Semaphore steps = new Semaphore(0);
        model.beforeForward = batch -> steps.acquireUninterruptibly();
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            SequenceHandle h1 = scheduler.submit(SequenceRequest.of(a, p1));
            steps.release(8);                                  // one prefill step + 7 decode steps
            for (int i = 0; i < 8; i++) assertInstanceOf(GenerationEvent.Token.class, h1.take());
            SequenceHandle h2 = scheduler.submit(SequenceRequest.of(b, p2));
            List<Long> finishOrder = new java.util.concurrent.CopyOnWriteArrayList<>();
            scheduler.addListener(new SchedulerListener() {
                @Override public void requestFinished(RequestStats st) { finishOrder.add(st.id()); }
            });
            steps.release(100_000);
            GenerationResult r2 = h2.await();
            GenerationResult r1 = h1.await();
            assertEquals(List.of(h2.id(), h1.id()), finishOrder, "the second should join and leave while the first runs");
            assertArrayEquals(ReferenceGeneration.generate(model, a, p1), r1.tokens());
            assertArrayEquals(ReferenceGeneration.generate(model, b, p2), r2.tokens());
            assertEquals(FinishReason.LENGTH, r1.reason());
        }
    }

    @Test
    void cancelEndsTheSequenceAndFreesItsBlocksAtOnce() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        Semaphore steps = new Semaphore(0);
        model.beforeForward = b -> steps.acquireUninterruptibly();
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config().withPrefixCacheEntries(8))) {
            SequenceHandle h = scheduler.submit(SequenceRequest.of(prompt(3, 9), SamplingParams.greedy()));
            steps.release(3);
            for (int i = 0; i < 2; i++) assertInstanceOf(GenerationEvent.Token.class, h.take());
            assertTrue(kv.freeBlocks() < kv.totalBlocks());
            h.cancel();
            steps.release(1000);
            GenerationEvent e;
            while (!((e = h.take()) instanceof GenerationEvent.Finished)) { /* tokens of a step in flight */ }
            assertEquals(FinishReason.CANCELLED, ((GenerationEvent.Finished) e).reason());
            assertEquals(kv.totalBlocks(), kv.freeBlocks(), "blocks not freed on cancel");
            assertNull(h.take());
            // a request cancelled before its first step ends too, with nothing generated
            steps.drainPermits();
            SequenceHandle h2 = scheduler.submit(SequenceRequest.of(prompt(4, 5), SamplingParams.greedy().withMaxTokens(50)));
            h2.cancel();
            steps.release(1000);
            GenerationResult r2 = h2.await();
            assertEquals(FinishReason.CANCELLED, r2.reason());
            assertTrue(r2.tokens().length <= 1);
            assertEquals(kv.totalBlocks(), kv.freeBlocks());
        }
    }

    @Test
    void prefixCacheReusesKvAndGivesTheSameOutput() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        int[] system = prompt(21, 26);
        int[] first = concat(system, prompt(22, 5));
        SamplingParams p = SamplingParams.greedy().withMaxTokens(6);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            GenerationResult r1 = scheduler.submit(SequenceRequest.of(first, p)).await();
            assertEquals(0, r1.usage().cachedPromptTokens());

            // same system prompt, different question: the shared 26 tokens are not forwarded again
            int[] second = concat(system, prompt(23, 7));
            long before = model.forwardedTokens.get();
            GenerationResult r2 = scheduler.submit(SequenceRequest.of(second, p)).await();
            long forwarded = model.forwardedTokens.get() - before;
            assertArrayEquals(ReferenceGeneration.generate(model, second, p), r2.tokens());
            int common = java.util.Arrays.mismatch(first, second);
            assertTrue(common >= 26);
            assertEquals(common, r2.usage().cachedPromptTokens());
            assertEquals(second.length - common + r2.tokens().length - 1, forwarded);

            // the next turn of the first conversation: its prompt and answer are reused
            int[] turn2 = concat(concat(first, r1.tokens()), prompt(24, 4));
            before = model.forwardedTokens.get();
            GenerationResult r3 = scheduler.submit(SequenceRequest.of(turn2, p)).await();
            assertArrayEquals(ReferenceGeneration.generate(model, turn2, p), r3.tokens());
            int cachedTokens = first.length + r1.tokens().length - 1;     // the last answer token was never forwarded
            assertEquals(cachedTokens, r3.usage().cachedPromptTokens());
            assertEquals(turn2.length - cachedTokens + r3.tokens().length - 1, model.forwardedTokens.get() - before);
            assertEquals(common + cachedTokens, scheduler.metrics().cachedPromptTokens());
        }
    }

    @Test
    void identicalPromptReusesAllButTheLastToken() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        int[] prompt = prompt(31, 12);
        SamplingParams p = SamplingParams.greedy().withMaxTokens(3);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            GenerationResult r1 = scheduler.submit(SequenceRequest.of(prompt, p)).await();
            GenerationResult r2 = scheduler.submit(SequenceRequest.of(prompt, p)).await();
            assertArrayEquals(r1.tokens(), r2.tokens());
            assertEquals(11, r2.usage().cachedPromptTokens());
        }
    }

    @Test
    void imagePositionsAreSharedThroughThePrefixCacheOnlyForTheSamePicture() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        int[] prompt = prompt(41, 14);
        float[][] img1 = new float[14][], img2 = new float[14][];
        img1[6] = new float[]{1, 2};
        img2[6] = new float[]{3, 4};
        SamplingParams p = SamplingParams.greedy().withMaxTokens(4);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            GenerationResult r1 = scheduler.submit(SequenceRequest.of(prompt, p).withEmbeddings(img1)).await();
            GenerationResult r2 = scheduler.submit(SequenceRequest.of(prompt, p).withEmbeddings(img2)).await();
            assertEquals(6, r2.usage().cachedPromptTokens());
            assertFalse(java.util.Arrays.equals(r1.tokens(), r2.tokens()), "different images gave the same output");
            // the same picture again (a later chat turn resends it, as a new array): shared through the image
            float[][] img1Again = new float[14][];
            img1Again[6] = img1[6].clone();
            GenerationResult r3 = scheduler.submit(SequenceRequest.of(prompt, p).withEmbeddings(img1Again)).await();
            assertEquals(13, r3.usage().cachedPromptTokens());   // all but the last prompt token, which gives the logits
            assertArrayEquals(r1.tokens(), r3.tokens());
        }
    }

    @Test
    void tightKvPoolPreemptsAndRecomputesWithoutChangingOutputs() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        List<int[]> prompts = List.of(prompt(51, 10), prompt(52, 12), prompt(53, 9));
        SamplingParams p = SamplingParams.defaults().withTemperature(0.8).withSeed(9L).withMaxTokens(30);
        CountDownLatch allSubmitted = new CountDownLatch(1);
        model.beforeForward = b -> awaitQuietly(allSubmitted);
        try (var kv = model.createCache(4 * 24, KvCacheType.F32);      // 24 blocks: not enough for all three
             var scheduler = new Scheduler(model, kv, config().withPrefixCacheEntries(0))) {
            List<SequenceHandle> hs = new ArrayList<>();
            for (int[] pr : prompts) hs.add(scheduler.submit(SequenceRequest.of(pr, p)));
            allSubmitted.countDown();
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(ReferenceGeneration.generate(model, prompts.get(i), p), hs.get(i).await().tokens());
            }
            assertTrue(scheduler.metrics().preemptions() > 0, "expected the pool to force a preemption");
            assertEquals(kv.totalBlocks(), kv.freeBlocks());
        }
    }

    @Test
    void contextOverflowSaysHowManyTokensFit() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config().withMaxContext(64))) {
            var e = assertThrows(ContextOverflowException.class,
                    () -> scheduler.submit(SequenceRequest.of(prompt(1, 60), SamplingParams.greedy().withMaxTokens(10))));
            assertEquals(60, e.promptTokens());
            assertEquals(64, e.contextLimit());
            assertTrue(e.getMessage().contains("64") && e.getMessage().contains("70") && e.getMessage().contains("60"), e.getMessage());
            assertThrows(ContextOverflowException.class,
                    () -> scheduler.submit(SequenceRequest.of(prompt(1, 64), SamplingParams.greedy())));
            // without max_tokens, generation stops at the context end
            GenerationResult r = scheduler.submit(SequenceRequest.of(prompt(1, 60), SamplingParams.greedy())).await();
            assertEquals(FinishReason.LENGTH, r.reason());
            assertEquals(4, r.tokens().length);
            assertThrows(IllegalArgumentException.class,
                    () -> scheduler.submit(SequenceRequest.of(new int[]{1, VOCAB}, SamplingParams.greedy())));
        }
    }

    @Test
    void fullQueueIsRejectedClearly() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        CountDownLatch inForward = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        model.beforeForward = b -> { inForward.countDown(); awaitQuietly(release); };
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config().withMaxParallel(1).withMaxQueue(1))) {
            SequenceHandle running = scheduler.submit(SequenceRequest.of(prompt(1, 4), SamplingParams.greedy().withMaxTokens(3)));
            assertTrue(inForward.await(10, TimeUnit.SECONDS));
            SequenceHandle queued = scheduler.submit(SequenceRequest.of(prompt(2, 4), SamplingParams.greedy().withMaxTokens(3)));
            assertEquals(1, scheduler.metrics().waiting());
            var e = assertThrows(QueueFullException.class,
                    () -> scheduler.submit(SequenceRequest.of(prompt(3, 4), SamplingParams.greedy())));
            assertTrue(e.getMessage().contains("retry"), e.getMessage());
            release.countDown();
            assertEquals(3, running.await().tokens().length);
            assertEquals(3, queued.await().tokens().length);
        }
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void forwardFailureEndsTheBatchWithErrorAndTheSchedulerGoesOn() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        AtomicBoolean fail = new AtomicBoolean(true);
        model.beforeForward = b -> { if (fail.getAndSet(false)) throw new IllegalStateException("boom"); };
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            GenerationResult r = scheduler.submit(SequenceRequest.of(prompt(1, 5), SamplingParams.greedy())).await();
            assertEquals(FinishReason.ERROR, r.reason());
            assertTrue(r.error().contains("boom"), r.error());
            assertEquals(kv.totalBlocks(), kv.freeBlocks());
            SamplingParams p = SamplingParams.greedy().withMaxTokens(5);
            assertArrayEquals(ReferenceGeneration.generate(model, prompt(2, 5), p),
                    scheduler.submit(SequenceRequest.of(prompt(2, 5), p)).await().tokens());
        }
    }

    @Test
    void stopStringsEndGenerationAndAreNotInTheText() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        int[] prompt = prompt(61, 8);
        SamplingParams p = SamplingParams.greedy().withMaxTokens(30);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            int[] free = ReferenceGeneration.generate(model, prompt, p);
            // stop on the text of tokens 5 and 6 (spans a token boundary: "<a>|<b>")
            String stop = ">" + "<" + free[6] + ">";
            List<GenerationEvent> events = new ArrayList<>();
            GenerationResult r = new Generator(scheduler).generate(
                    new SequenceRequest(prompt, null, p.withStop(List.of(stop)), null, t -> "<" + t + ">", null), events::add);
            assertEquals(FinishReason.STOP, r.reason());
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 6; i++) expected.append('<').append(free[i]).append('>');
            expected.setLength(expected.length() - 1);           // the stop starts with the '>' of token 5
            assertEquals(expected.toString(), r.text());
            StringBuilder streamed = new StringBuilder();
            for (GenerationEvent e : events) {
                if (e instanceof GenerationEvent.Token t) streamed.append(t.text());
                if (e instanceof GenerationEvent.Finished f) streamed.append(f.text());
            }
            assertEquals(r.text(), streamed.toString());
            assertEquals(7, r.tokens().length);
        }
    }

    @Test
    void stopTokenEndsGenerationAndIsNotOutput() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, EOS, 12);
        int[] prompt = prompt(71, 6);
        SamplingParams p = SamplingParams.greedy().withStopTokenIds(EOS);
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            GenerationResult r = scheduler.submit(SequenceRequest.of(prompt, p)).await();
            assertEquals(FinishReason.STOP, r.reason());
            assertArrayEquals(ReferenceGeneration.generate(model, prompt, p), r.tokens());
            for (int t : r.tokens()) assertNotEquals(EOS, t);
            assertEquals(r.tokens().length + 1, r.usage().completionTokens());
        }
    }

    @Test
    void loopGuardEndsADegenerateRepetition() throws Exception {
        // a model that, after the prompt, keeps repeating the 3 tokens before: greedy loops forever
        ToyModel loopy = new ToyModel(VOCAB, 4, -1, 0) {
            @Override float[] logits(long[] h) {
                float[] l = new float[VOCAB];
                l[(int) h[h.length - 3]] = 5;
                return l;
            }
        };
        try (var kv = loopy.createCache(4000, KvCacheType.F32);
             var scheduler = new Scheduler(loopy, kv, config().withLoopGuard(new LoopGuard.Config(16, 4, 40)))) {
            GenerationResult r = scheduler.submit(SequenceRequest.of(new int[]{1, 10, 11, 12}, SamplingParams.greedy())).await();
            assertEquals(FinishReason.LOOP, r.reason());
            assertEquals(40, r.tokens().length);          // the guard sees generated tokens: a 40-token span of period 3
        }
    }

    @Test
    void metricsAndListenerReportWork() throws Exception {
        ToyModel model = new ToyModel(VOCAB, 4, -1, 0);
        List<SchedulerListener.RequestStats> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var kv = model.createCache(400, KvCacheType.F32);
             var scheduler = new Scheduler(model, kv, config())) {
            scheduler.addListener(new SchedulerListener() {
                @Override public void requestFinished(RequestStats s) { finished.add(s); }
            });
            scheduler.submit(SequenceRequest.of(prompt(1, 7), SamplingParams.greedy().withMaxTokens(5))).await();
            SchedulerMetrics m = scheduler.metrics();
            assertEquals(1, m.requestsFinished());
            assertEquals(7, m.promptTokens());
            assertEquals(5, m.generatedTokens());
            assertEquals(7 + 4, m.forwardedTokens());
            assertEquals(0, m.running());
            assertEquals(1, m.prefixCacheEntries());
            assertEquals(ceil(7 + 4, 4), m.kvBlocksUsed());     // the finished sequence is kept for reuse
            assertEquals(1, finished.size());
            assertTrue(finished.get(0).timeToFirstNanos() > 0);
        }
    }

    private static int ceil(int a, int b) { return (a + b - 1) / b; }
}
