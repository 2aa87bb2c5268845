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
