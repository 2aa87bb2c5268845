package jmistral.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jmistral.model.TinyModels.TINY;
import static jmistral.model.TinyModels.maxAbsDiff;
import static jmistral.model.TinyModels.tokens;
import static org.junit.jupiter.api.Assertions.*;

/** The fast decoder against the scalar reference, and against itself under every way of batching. */
class TextModelTest {
    static final int V = TINY.vocabSize();
    static TextModel model;
    static ReferenceModel reference;

    @BeforeAll
    static void setUp() {
        model = TinyModels.model(TINY, TensorNames.GGUF, 42);
        reference = new ReferenceModel(model.checkpoint());
    }

    @AfterAll
    static void tearDown() { model.close(); }

    /** Logits [n][vocab] of a fresh prefill, all positions. */
    static float[] prefill(KvCache cache, int[] tokens) {
        try (SequenceCache s = cache.newSequence()) {
            return model.forward(List.of(new BatchEntry(s, tokens, null, true))).getFirst();
        }
    }

    @Test
    void fastPathMatchesReference() {
        int[] toks = tokens(45, 1, V); // 45 tokens: three blocks of 16, last one partial
        float[][] ref = reference.forward(toks);
        try (KvCache cache = model.createCache(64, KvCacheType.F32)) {
            float[] fast = prefill(cache, toks);
            for (int t = 0; t < toks.length; t++) {
                assertTrue(maxAbsDiff(fast, t * V, ref[t], 0, V) < 2e-4, "position " + t + " differs by " + maxAbsDiff(fast, t * V, ref[t], 0, V));
            }
        }
    }

    @Test
    void hfLayoutMatchesReferenceAndGguf() {
        int[] toks = tokens(20, 2, V);
        for (TensorNames layout : List.of(TensorNames.HF, TensorNames.HF_LEGACY, TensorNames.NATIVE)) {
            try (TextModel other = TinyModels.model(TINY, layout, 42);
                 KvCache a = model.createCache(32, KvCacheType.F32); KvCache b = other.createCache(32, KvCacheType.F32)) {
                float[][] ref = new ReferenceModel(other.checkpoint()).forward(toks);
                float[] gguf = prefill(a, toks);
                float[] hf;
                try (SequenceCache s = b.newSequence()) {
                    hf = other.forward(List.of(new BatchEntry(s, toks, null, true))).getFirst();
                }
                assertEquals(layout.rope(), other.checkpoint().rope());
                for (int t = 0; t < toks.length; t++) {
                    assertTrue(maxAbsDiff(hf, t * V, ref[t], 0, V) < 2e-4, layout.layout() + " vs its reference at " + t);
                    assertTrue(maxAbsDiff(hf, t * V, gguf, t * V, V) < 2e-4, layout.layout() + " vs GGUF at " + t);
                }
            }
        }
    }

    @Test
    void tokenByTokenDecodeEqualsPrefill() {
        int[] toks = tokens(40, 3, V);
        try (KvCache cache = model.createCache(128, KvCacheType.F32)) {
            float[] full = prefill(cache, toks);
            try (SequenceCache s = cache.newSequence()) {
                for (int t = 0; t < toks.length; t++) {
                    float[] step = model.forward(List.of(BatchEntry.of(s, toks[t]))).getFirst();
                    assertEquals(V, step.length);
                    assertTrue(maxAbsDiff(step, 0, full, t * V, V) < 1e-4, "position " + t);
                }
                assertEquals(toks.length, s.length());
            }
        }
    }

    @Test
    void batchOfSequencesEqualsEachAlone() {
        int[] a = tokens(30, 4, V), b = tokens(7, 5, V), c = tokens(19, 6, V);
        try (KvCache cache = model.createCache(256, KvCacheType.F32)) {
            float[] fa = prefill(cache, a), fb = prefill(cache, b), fc = prefill(cache, c);
            try (SequenceCache sa = cache.newSequence(); SequenceCache sb = cache.newSequence(); SequenceCache sc = cache.newSequence()) {
                // step 1: a prefills 29 tokens alone
                model.forward(List.of(new BatchEntry(sa, java.util.Arrays.copyOf(a, 29), null, false)));
                // step 2: a decodes its last token, b prefills whole, c prefills a chunk of 10 (all logits)
                List<float[]> out = model.forward(List.of(
                        BatchEntry.of(sa, a[29]),
                        new BatchEntry(sb, b, null, false),
                        new BatchEntry(sc, java.util.Arrays.copyOf(c, 10), null, true)));
                assertTrue(maxAbsDiff(out.get(0), 0, fa, 29 * V, V) < 1e-4);
                assertTrue(maxAbsDiff(out.get(1), 0, fb, 6 * V, V) < 1e-4);
                for (int t = 0; t < 10; t++) assertTrue(maxAbsDiff(out.get(2), t * V, fc, t * V, V) < 1e-4, "c at " + t);
                // step 3: c's second chunk
                float[] last = model.forward(List.of(new BatchEntry(sc, java.util.Arrays.copyOfRange(c, 10, 19), null, false))).getFirst();
                assertTrue(maxAbsDiff(last, 0, fc, 18 * V, V) < 1e-4);
            }
        }
    }

    @Test
    void forkedPrefixEqualsFreshPrefill() {
        int[] toks = tokens(50, 7, V);
        try (KvCache cache = model.createCache(512, KvCacheType.F32)) {
            float[] fresh = prefill(cache, toks);
            int before = cache.freeBlocks();
            try (SequenceCache base = cache.newSequence()) {
                model.forward(List.of(new BatchEntry(base, java.util.Arrays.copyOf(toks, 40), null, false)));
                for (int cut : new int[] {21, 32, 40, 0}) { // partial block, block boundary, whole, empty
                    try (SequenceCache f = base.fork(cut)) {
                        assertEquals(cut, f.length());
                        float[] rest = model.forward(List.of(new BatchEntry(f, java.util.Arrays.copyOfRange(toks, cut, 50), null, true))).getFirst();
                        for (int t = cut; t < 50; t++) assertTrue(maxAbsDiff(rest, (t - cut) * V, fresh, t * V, V) < 1e-4, "fork " + cut + " at " + t);
                    }
                }
                // copy on write: the fork shares full blocks; the base truncates into a shared block and
                // writes other tokens there; the fork must still see its own prefix
                try (SequenceCache f = base.fork(32)) {
                    base.truncate(20);
                    int[] other = tokens(15, 8, V);
                    model.forward(List.of(new BatchEntry(base, other, null, false)));
                    float[] rest = model.forward(List.of(new BatchEntry(f, java.util.Arrays.copyOfRange(toks, 32, 50), null, true))).getFirst();
                    for (int t = 32; t < 50; t++) assertTrue(maxAbsDiff(rest, (t - 32) * V, fresh, t * V, V) < 1e-4, "COW at " + t);
                }
            }
            assertEquals(before, cache.freeBlocks(), "all blocks returned after close");
        }
    }

    @Test
    void f16AndQ8CachesStayClose() {
        int[] toks = tokens(40, 9, V);
        float[] exact;
        try (KvCache c32 = model.createCache(64, KvCacheType.F32)) { exact = prefill(c32, toks); }
        for (KvCacheType type : new KvCacheType[] {KvCacheType.F16, KvCacheType.Q8_0}) {
            try (KvCache c = model.createCache(64, type)) {
                float[] got = prefill(c, toks);
                float diff = maxAbsDiff(got, 0, exact, 0, got.length);
                assertTrue(diff < (type == KvCacheType.F16 ? 0.01 : 0.1), type + " differs by " + diff);
                assertTrue(diff > 0, type + " should not be bit-identical to f32");
            }
        }
    }

    @Test
    void embeddingsOverrideTokens() {
        int[] toks = tokens(6, 10, V);
        float[][] emb = new float[6][];
        emb[2] = new float[TINY.dim()];
        model.checkpoint().embedding().dequantizeRow(toks[2], emb[2], 0);
        int[] replaced = toks.clone();
        replaced[2] = 0; // the given row, not token 0's embedding, must be used
        try (KvCache cache = model.createCache(32, KvCacheType.F32); SequenceCache s = cache.newSequence()) {
            float[] got = model.forward(List.of(new BatchEntry(s, replaced, emb, false))).getFirst();
            float[] want = prefill(cache, toks);
            assertTrue(maxAbsDiff(got, 0, want, 5 * V, V) < 1e-5);
        }
    }

    @Test
    void cacheFullAndBadInputGiveClearErrors() {
        try (KvCache cache = model.createCache(32, KvCacheType.F16); SequenceCache s = cache.newSequence()) {
            var e = assertThrows(KvCacheFullException.class, () -> model.forward(List.of(BatchEntry.of(s, tokens(40, 1, V)))));
            assertTrue(e.getMessage().contains("full"), e.getMessage());
            var bad = assertThrows(IllegalArgumentException.class, () -> model.forward(List.of(BatchEntry.of(s, V + 5))));
            assertTrue(bad.getMessage().contains("token id " + (V + 5)), bad.getMessage());
            var twice = assertThrows(IllegalArgumentException.class, () -> model.forward(List.of(BatchEntry.of(s, 1), BatchEntry.of(s, 2))));
            assertTrue(twice.getMessage().contains("twice"));
        }
        var big = assertThrows(IllegalArgumentException.class, () -> new PagedKvCache(TINY, 1 << 20, KvCacheType.F16, 16, 1000));
        assertTrue(big.getMessage().contains("needs " + String.format("%,d", PagedKvCache.bytesNeeded(TINY, 1 << 20, KvCacheType.F16, 16))), big.getMessage());
    }
}
