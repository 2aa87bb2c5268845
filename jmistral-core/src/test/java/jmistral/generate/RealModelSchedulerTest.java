package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmistral.gguf.GgufWriter;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LanguageModel;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.TextConfigWriter;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler on the real decoder (a tiny random model written as GGUF and loaded by ModelLoader):
 * batched, chunked, prefix-forked generation gives the tokens of one sequence run alone, token by token.
 */
@Timeout(120)
class RealModelSchedulerTest {

    static final TextConfig TINY = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 300, 4096);

    @TempDir static Path dir;
    static LoadedModel loaded;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        writeGguf(file, TINY, 17);
        loaded = ModelLoader.load(file);
    }

    @AfterAll
    static void close() {
        if (loaded != null) loaded.close();
    }

    static void writeGguf(Path file, TextConfig c, long seed) throws Exception {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", TextConfigWriter.GGUF_ARCH);
        TextConfigWriter.toGguf(w, c);
        for (SynthTensor t : SynthModel.tensors(c, seed, null, TensorNames.GGUF)) w.addF32(t.name(), t.data().get(), t.ggmlShape());
        w.write(file);
    }

    /** One sequence alone, one token per forward after the prompt, on a fresh cache: the yardstick. */
    static int[] alone(LanguageModel m, int[] prompt, SamplingParams p) {
        try (KvCache kv = m.createCache(512, KvCacheType.F32); var seq = kv.newSequence()) {
            Sampler sampler = new Sampler(p, m.config().vocabSize(), prompt, null);
            float[] logits = m.forward(List.of(jmistral.model.BatchEntry.of(seq, prompt))).getFirst();
            List<Integer> out = new ArrayList<>();
            while (out.size() < p.maxTokens()) {
                int t = sampler.sample(logits, 0).token();
                out.add(t);
                logits = m.forward(List.of(jmistral.model.BatchEntry.of(seq, t))).getFirst();
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void batchedChunkedAndPrefixForkedMatchOneSequenceAlone() throws Exception {
        LanguageModel m = loaded.model();
        int[] system = SchedulerTest.prompt(1, 37);             // more than 2 blocks of 16
        List<int[]> prompts = List.of(SchedulerTest.concat(system, new int[]{5, 6, 7}), SchedulerTest.prompt(2, 9),
                SchedulerTest.concat(system, new int[]{8, 9}), SchedulerTest.prompt(3, 50));
        List<SamplingParams> params = List.of(SamplingParams.greedy().withMaxTokens(8),
                SamplingParams.defaults().withTemperature(0.7).withSeed(3L).withMaxTokens(8),
                SamplingParams.greedy().withMaxTokens(8),
                SamplingParams.defaults().withTemperature(1.0).withTopK(20).withSeed(4L).withMaxTokens(8));
        try (KvCache kv = m.createCache(1024, KvCacheType.F32);
             Scheduler s = new Scheduler(m, kv, SchedulerConfig.defaults().withMaxBatchTokens(24).withLoopGuard(LoopGuard.Config.DISABLED))) {
            // the first request alone fills the prefix cache; the rest run batched together
            GenerationResult first = s.submit(SequenceRequest.of(prompts.get(0), params.get(0))).await();
            assertArrayEquals(alone(m, prompts.get(0), params.get(0)), first.tokens());
            List<SequenceHandle> hs = new ArrayList<>();
            for (int i = 1; i < prompts.size(); i++) hs.add(s.submit(SequenceRequest.of(prompts.get(i), params.get(i))));
            for (int i = 1; i < prompts.size(); i++) {
                GenerationResult r = hs.get(i - 1).await();
                assertEquals(FinishReason.LENGTH, r.reason(), String.valueOf(r.error()));
                assertArrayEquals(alone(m, prompts.get(i), params.get(i)), r.tokens(), "request " + i);
            }
            assertEquals(37, hs.get(1).await().usage().cachedPromptTokens());
        }
    }

    /** Runs the requests together on a fresh cache and scheduler; results in request order. */
    static List<GenerationResult> runTogether(LanguageModel m, SchedulerConfig config, List<SequenceRequest> requests) throws Exception {
        try (KvCache kv = m.createCache(4096, KvCacheType.F32); Scheduler s = new Scheduler(m, kv, config)) {
            List<SequenceHandle> hs = new ArrayList<>();
            for (SequenceRequest r : requests) hs.add(s.submit(r));
            List<GenerationResult> out = new ArrayList<>();
            for (SequenceHandle h : hs) out.add(h.await());
            SchedulerMetrics metrics = s.metrics();
            if (config.speculation().enabled()) assertTrue(metrics.acceptedTokens() > 0, "no draft accepted: " + metrics);
            return out;
        }
    }

    /**
     * Speculative greedy decoding on the real decoder (drafts verified K+1 positions at a time, the KV
     * cache cut back after rejections) gives the plain greedy tokens over long generations, with
     * several sequences in the batch and pictures in a prompt. A random tiny model falls into loops,
     * so drafts are accepted; the plain run checks there are no near-ties that float rounding between
     * batch shapes could flip.
     */
    @Test
    void speculativeGreedyEqualsPlainGreedyOnTheRealDecoder() throws Exception {
        LanguageModel m = loaded.model();
        float[][] picture = new float[40][];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 8; i < 24; i++) picture[i] = new float[TINY.dim()];
        for (int i = 8; i < 24; i++) for (int d = 0; d < TINY.dim(); d++) picture[i][d] = (float) r.nextDouble(-1, 1);
        SamplingParams p = SamplingParams.greedy().withMaxTokens(200).withLogprobs(2);
        List<SequenceRequest> requests = List.of(
                SequenceRequest.of(SchedulerTest.prompt(31, 12), p),
                SequenceRequest.of(SchedulerTest.prompt(32, 40), p).withEmbeddings(picture),
                SequenceRequest.of(SchedulerTest.prompt(33, 5), p));
        SchedulerConfig base = SchedulerConfig.defaults().withLoopGuard(LoopGuard.Config.DISABLED);
        List<GenerationResult> plain = runTogether(m, base.withSpeculation(Speculation.OFF), requests);
        List<GenerationResult> speculative = runTogether(m, base, requests);
        for (int i = 0; i < requests.size(); i++) {
            for (GenerationEvent.Token t : plain.get(i).steps()) {
                float margin = t.top().get(0).logprob() - t.top().get(1).logprob();
                assertTrue(margin > 1e-3f, "request " + i + ": a near-tie (" + margin + "); pick other prompts");
            }
            assertEquals(200, plain.get(i).tokens().length);
            assertArrayEquals(plain.get(i).tokens(), speculative.get(i).tokens(), "request " + i);
        }
    }
}
