package jmistral.model;

import static jmistral.model.TinyModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched decode (issue 13): k sequences decoding together in one forward (each matmul over k tokens,
 * so through the multi-token kernels; attention per sequence) give each sequence the logits it gets
 * decoding alone, within float rounding, for k = 1 .. 16 and each weight format; and verifying a
 * draft (K + 1 positions of one sequence in one forward) gives the logits of K + 1 single steps.
 */
class BatchedDecodeTest {

    /** Q4_K needs rows of 256 values: dim 256, 4 heads x 64, ffn 512. */
    static final TextConfig WIDE = new TextConfig(256, 2, 64, 512, 4, 2, 1e-5, 1e9, 300, 4096);

    static final float TOLERANCE = 2e-3f;     // logits span about +-10; rounding of a different summation order

    @Test
    void kSequencesDecodingTogetherEqualEachAlone(@TempDir Path dir) throws Exception {
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_K)) {
            Path file = dir.resolve(type + ".gguf");
            Synth.write(file, new Synth.Options(LoadedModel.Format.GGUF, WIDE, 9, false, type, 0));
            try (LoadedModel loaded = ModelLoader.load(file); KvCache kv = loaded.model().createCache(4096, KvCacheType.F32)) {
                assertEquals(type, loaded.model().checkpoint().layers()[0].wUp().type());
                for (int k : new int[]{1, 2, 3, 4, 5, 8, 9, 16}) check(loaded.model(), kv, k, type);
            }
        }
    }

    private static void check(TextModel m, KvCache kv, int k, GgmlType type) {
        int vocab = WIDE.vocabSize();
        List<SequenceCache> prefilled = new ArrayList<>();
        try {
            int[] next = new int[k];
            for (int i = 0; i < k; i++) {
                SequenceCache s = kv.newSequence();
                prefilled.add(s);
                m.forward(List.of(BatchEntry.of(s, TinyModels.tokens(5 + 3 * i, 100 + i, vocab))));
                next[i] = (7 * i + 3) % vocab;
            }
            float[][] alone = new float[k][];
            for (int i = 0; i < k; i++) {
                try (SequenceCache f = prefilled.get(i).fork(prefilled.get(i).length())) {
                    alone[i] = m.forward(List.of(BatchEntry.of(f, next[i]))).getFirst();
                }
            }
            List<BatchEntry> batch = new ArrayList<>();
            for (int i = 0; i < k; i++) batch.add(BatchEntry.of(prefilled.get(i), next[i]));
            List<float[]> together = m.forward(batch);
            for (int i = 0; i < k; i++) {
                float d = maxAbsDiff(together.get(i), 0, alone[i], 0, vocab);
                assertTrue(d < TOLERANCE, type + ", " + k + " sequences: sequence " + i + " differs by " + d);
            }
        } finally {
            for (SequenceCache s : prefilled) s.close();
        }
    }

    /**
     * Logits arrays handed back ({@link LanguageModel#recycle}) and a batch's own array (kept by the model once each
     * entry has its copy) are refilled by later steps, every value overwritten: a model whose returned arrays are
     * poisoned with NaN and handed back, two single steps and two batches of two in turn, gives the logits of a second
     * model that never reuses an array (within the rounding that the JIT's compiled and interpreted reductions differ by).
     */
    @Test
    void recycledLogitsArraysAreOverwritten(@TempDir Path dir) throws Exception {
        int vocab = WIDE.vocabSize();
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_K)) {
            Path file = dir.resolve(type + ".gguf");
            Synth.write(file, new Synth.Options(LoadedModel.Format.GGUF, WIDE, 11, false, type, 0));
            try (LoadedModel fresh = ModelLoader.load(file); LoadedModel reusing = ModelLoader.load(file);
                 KvCache kvFresh = fresh.model().createCache(1024, KvCacheType.F32);
                 KvCache kvReusing = reusing.model().createCache(1024, KvCacheType.F32)) {
                SequenceCache[] f = {kvFresh.newSequence(), kvFresh.newSequence()}, r = {kvReusing.newSequence(), kvReusing.newSequence()};
                for (int i = 0; i < 2; i++) {
                    int[] prompt = TinyModels.tokens(6 + i, 20 + i, vocab);
                    fresh.model().forward(List.of(BatchEntry.of(f[i], prompt)));
                    reusing.model().recycle(poisoned(reusing.model().forward(List.of(BatchEntry.of(r[i], prompt)))));
                }
                for (int step = 0; step < 8; step++) {
                    int t = (13 * step + 5) % vocab, u = (7 * step + 2) % vocab;
                    boolean alone = step / 2 % 2 == 0; // two single steps, then two batches: each reuses the array before it
                    List<float[]> expected = alone
                            ? fresh.model().forward(List.of(BatchEntry.of(f[0], t)))
                            : fresh.model().forward(List.of(BatchEntry.of(f[0], t), BatchEntry.of(f[1], u)));
                    List<float[]> got = alone
                            ? reusing.model().forward(List.of(BatchEntry.of(r[0], t)))
                            : reusing.model().forward(List.of(BatchEntry.of(r[0], t), BatchEntry.of(r[1], u)));
                    for (int e = 0; e < expected.size(); e++) {
                        float[] g = got.get(e);
                        for (int v = 0; v < g.length; v++) assertTrue(Float.isFinite(g[v]), type + ", step " + step + ": logit " + v + " is " + g[v]);
                        float d = maxAbsDiff(g, 0, expected.get(e), 0, g.length);
                        assertTrue(d < 1e-4f, type + ", step " + step + ", entry " + e + " differs by " + d);
                    }
                    reusing.model().recycle(poisoned(got));
                }
                for (SequenceCache s : f) s.close();
                for (SequenceCache s : r) s.close();
            }
        }
    }

    private static List<float[]> poisoned(List<float[]> logits) {
        for (float[] l : logits) Arrays.fill(l, Float.NaN);
        return logits;
    }

    @Test
    void verifyingADraftEqualsSingleStepsAndRollsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("q8.gguf");
        Synth.write(file, new Synth.Options(LoadedModel.Format.GGUF, WIDE, 10, false, GgmlType.Q8_0, 0));
        int vocab = WIDE.vocabSize();
        int[] prompt = TinyModels.tokens(21, 5, vocab), draft = TinyModels.tokens(9, 6, vocab);   // next token + 8 drafts
        try (LoadedModel loaded = ModelLoader.load(file); KvCache kv = loaded.model().createCache(256, KvCacheType.F32);
             SequenceCache steps = kv.newSequence(); SequenceCache verify = kv.newSequence()) {
            TextModel m = loaded.model();
            m.forward(List.of(BatchEntry.of(steps, prompt)));
            m.forward(List.of(BatchEntry.of(verify, prompt)));
            float[] all = m.forward(List.of(new BatchEntry(verify, draft, null, true))).getFirst();   // [9][vocab]
            for (int i = 0; i < draft.length; i++) {
                float[] one = m.forward(List.of(BatchEntry.of(steps, draft[i]))).getFirst();
                float d = maxAbsDiff(all, i * vocab, one, 0, vocab);
                assertTrue(d < TOLERANCE, "position " + i + " differs by " + d);
            }
            // reject from the 4th draft on: cut back and go on with another token; equals a fresh run
            verify.truncate(prompt.length + 4);
            int other = (draft[4] + 1) % vocab;
            float[] after = m.forward(List.of(BatchEntry.of(verify, other))).getFirst();
            try (SequenceCache fresh = kv.newSequence()) {
                int[] history = Arrays.copyOf(prompt, prompt.length + 5);
                System.arraycopy(draft, 0, history, prompt.length, 4);
                history[prompt.length + 4] = other;
                float[] expected = m.forward(List.of(BatchEntry.of(fresh, history))).getFirst();
                assertTrue(maxAbsDiff(after, 0, expected, 0, vocab) < TOLERANCE, "after the rollback");
            }
        }
    }
}
