package jmistral.quantize;

import jmistral.ModelFileException;
import jmistral.gguf.GgufFile;
import jmistral.gguf.GgufTensorInfo;
import jmistral.hub.ProgressListener;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.LoadedModel.Format;
import jmistral.model.ModelLoader;
import jmistral.model.SequenceCache;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Synthesized checkpoints through {@link GgufQuantizer} and back through the real loader. */
class GgufQuantizerTest {
    /** dim 64, 2 layers, 4 heads x 32 (q width 128 != dim), 2 kv heads, ffn 96, vocab 256: every width a multiple of 32. */
    static final TextConfig TINY = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096);
    static final int[] PROMPT = {1, 17, 200, 33, 94, 5, 251, 128, 64, 77, 3, 190};

    @TempDir
    Path dir;

    /** Logits of every prompt position [n][vocab]. */
    static float[] logits(LoadedModel m, int[] tokens) {
        try (KvCache cache = m.model().createCache(64, KvCacheType.F32); SequenceCache s = cache.newSequence()) {
            return m.model().forward(List.of(new BatchEntry(s, tokens, null, true))).getFirst();
        }
    }

    /** Greedy ids and, per step, the gap between the two largest logits. */
    record Greedy(List<Integer> ids, List<Float> margins) {
        int stepsWithMarginAbove(float gap) {
            int n = 0;
            while (n < margins.size() && margins.get(n) > gap) n++;
            return n;
        }
    }

    /** n greedy tokens after the prompt, decoded token by token through the KV cache. */
    static Greedy greedy(LoadedModel m, int[] prompt, int n) {
        List<Integer> ids = new ArrayList<>();
        List<Float> margins = new ArrayList<>();
        try (KvCache cache = m.model().createCache(64, KvCacheType.F32); SequenceCache s = cache.newSequence()) {
            float[] lg = m.model().forward(List.of(BatchEntry.of(s, prompt))).getFirst();
            for (int i = 0; i < n; i++) {
                int next = argmax(lg);
                float top = lg[next];
                lg[next] = Float.NEGATIVE_INFINITY;
                margins.add(top - lg[argmax(lg)]);
                ids.add(next);
                if (i + 1 < n) lg = m.model().forward(List.of(BatchEntry.of(s, next))).getFirst();
            }
        }
        return new Greedy(ids, margins);
    }

    /** Cosine similarity of two logit arrays. */
    static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    static float maxAbs(float[] x) {
        float m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static Map<String, GgmlType> types(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return f.tensorInfos().stream().collect(Collectors.toMap(GgufTensorInfo::name, GgufTensorInfo::type));
        }
    }

    private Path synth(String name, Format format, TextConfig c, GgmlType type) throws Exception {
        Path p = dir.resolve(name);
        Synth.write(p, new Synth.Options(format, c, 5, false, type, 100_000));
        return p;
    }

    /** F32 in, F32 out: the conversion is exact, so the HF model and its GGUF agree to float rounding. */
    @Test
    void hfF32ToGgufF32KeepsLogitsAndInterleavesQk() throws Exception {
        Path hf = synth("hf", Format.HF, TINY, GgmlType.F32), out = dir.resolve("out.gguf");
        GgufQuantizer.quantize(hf, out, QuantType.F32, ProgressListener.NONE);
        try (LoadedModel h = ModelLoader.load(hf); LoadedModel g = ModelLoader.load(out)) {
            assertEquals(Format.GGUF, g.format());
            assertEquals(TINY, g.config());
            float[] lh = logits(h, PROMPT), lg = logits(g, PROMPT);
            assertTrue(maxAbsDiff(lh, lg) < 1e-4, "HF vs converted GGUF " + maxAbsDiff(lh, lg));
        }
        // Synth writes the HF q/k rows by permuting the interleaved formula weights; converting back must
        // give Synth's own GGUF byte for byte (this is what pins down the un-permutation and the names).
        Path direct = synth("direct.gguf", Format.GGUF, TINY, GgmlType.F32);
        try (GgufFile a = GgufFile.open(out); GgufFile b = GgufFile.open(direct)) {
            assertEquals(b.tensors().keySet(), a.tensors().keySet());
            for (var t : b.tensors().values()) {
                var u = a.tensors().get(t.name());
                assertArrayEquals(t.shape(), u.shape(), t.name());
                assertEquals(-1, t.data().mismatch(u.data()), t.name() + " differs");
            }
            assertEquals("llama", a.getString("general.architecture"));
            assertEquals(TINY.headDim(), a.getInt("llama.attention.key_length"));
            assertEquals(TINY.headDim(), a.getInt("llama.attention.value_length"));
            assertEquals(1e9f, a.getFloat("llama.rope.freq_base"));
            assertEquals(TINY.maxSeqLen(), a.getInt("llama.context_length"));
            assertEquals(TINY.vocabSize(), a.getInt("llama.vocab_size"));
            assertEquals(0, a.getInt("general.file_type"));
        }
    }

    /**
     * Q8_0 stores each weight to within half a step of amax/127 of its block of 32, about 0.2% of the
     * block's largest weight; through two layers that moves logits (which span about +-10 here) by a
     * few hundredths. We allow 2% of the largest logit, and the greedy continuation must not change.
     */
    @Test
    void hfBf16ToQ8_0StaysCloseWithSameGreedyIds() throws Exception {
        Path hf = synth("hf", Format.HF, TINY, GgmlType.BF16), out = dir.resolve("q8.gguf");
        Recorder progress = new Recorder();
        GgufQuantizer.Result r = GgufQuantizer.quantize(hf, out, QuantType.Q8_0, progress);
        assertEquals(1 + 9 * TINY.nLayers() + 2, r.tensors().size());
        assertEquals(r.tensors().size(), progress.starts.size(), "one progress start per tensor");
        assertEquals(r.bytes(), progress.bytes.get(), "progress counts every byte");
        assertEquals(1, progress.finishes);
        types(out).forEach((name, type) ->
                assertEquals(name.endsWith("norm.weight") ? GgmlType.F32 : GgmlType.Q8_0, type, name));
        try (LoadedModel h = ModelLoader.load(hf); LoadedModel g = ModelLoader.load(out)) {
            float[] lh = logits(h, PROMPT), lg = logits(g, PROMPT);
            float diff = maxAbsDiff(lh, lg), scale = maxAbs(lh);
            assertTrue(diff > 0 && diff < 0.02 * scale, "Q8_0 vs BF16: " + diff + " (largest logit " + scale + ")");
            // greedy ids must agree up to the first step where the reference's top two logits are closer than
            // the largest logit error measured on the prompt (a near-tie that rounding may flip: this random
            // model has one at step 5, gap 0.005)
            Greedy ref = greedy(h, PROMPT, 8), q = greedy(g, PROMPT, 8);
            int sure = ref.stepsWithMarginAbove(diff);
            assertTrue(sure >= 3, "only " + sure + " clear greedy steps: " + ref);
            assertEquals(ref.ids().subList(0, sure), q.ids().subList(0, sure));
        }
    }

    /** Native folder with the real Tekken vocabulary -> Q8_0 -> requantized Q4_K_M: the tokenizer travels along. */
    @Test
    void nativeToGgufCarriesTheTokenizer() throws Exception {
        TextConfig c = new TextConfig(32, 1, 16, 64, 2, 1, 1e-5, 1e9, 131072, 4096);
        Path nat = synth("native", Format.NATIVE, c, GgmlType.BF16), q8 = dir.resolve("q8.gguf"), q4 = dir.resolve("q4.gguf");
        GgufQuantizer.Result r = GgufQuantizer.quantize(nat, q8, QuantType.Q8_0, ProgressListener.NONE);
        assertEquals(nat.resolve("tekken.json").toString(), r.tokenizer());
        Tekken reference = Tekken.fromTekkenJson(nat.resolve("tekken.json"));
        String text = "Quantized weights, the same tokens: naïve café 東京 🙂 [INST] x";
        try (LoadedModel n = ModelLoader.load(nat); LoadedModel g = ModelLoader.load(q8)) {
            Tekken fromGguf = Tekken.fromGgufMetadata(g.ggufMetadata().orElseThrow());
            assertArrayEquals(reference.encode(text), fromGguf.encode(text));
            assertEquals(reference.vocabSize(), fromGguf.vocabSize());
            int[] prompt = reference.encode("Hello, world");
            float[] ln = logits(n, prompt), lg = logits(g, prompt);
            assertTrue(maxAbsDiff(ln, lg) < 0.02 * maxAbs(ln), "Q8_0 vs native BF16 " + maxAbsDiff(ln, lg));
        }
        GgufQuantizer.Result r4 = GgufQuantizer.quantize(q8, q4, QuantType.Q4_K_M, ProgressListener.NONE);
        assertEquals("input GGUF metadata", r4.tokenizer());
        try (GgufFile a = GgufFile.open(q8); GgufFile b = GgufFile.open(q4)) {
            for (var e : a.metadata().entrySet()) {
                if (!e.getKey().startsWith("tokenizer.")) continue;
                Object v = b.metadata().get(e.getKey());
                assertNotNull(v, e.getKey());
                if (v instanceof int[] x) assertArrayEquals((int[]) e.getValue(), x, e.getKey());
                else assertEquals(e.getValue(), v, e.getKey());
            }
            assertEquals(15, b.getInt("general.file_type"));
            // rows of 32: every K type falls back (Q4_K -> Q5_0, Q6_K -> Q8_0; output needs 256 for Q6_K -> Q8_0)
            assertEquals(GgmlType.Q5_0, b.tensorInfo("blk.0.attn_q.weight").type());
            assertEquals(GgmlType.Q8_0, b.tensorInfo("blk.0.attn_v.weight").type());
            assertEquals(GgmlType.Q8_0, b.tensorInfo("output.weight").type());
        }
    }

    /** 8 layers (use_more_bits at 0, 3, 6, 7), rows of 256 except ffn_down (320: K types fall back). */
    @Test
    void ggufF32ToQ4KMFollowsTheMixRules() throws Exception {
        TextConfig c = new TextConfig(256, 8, 64, 320, 4, 2, 1e-5, 1e9, 256, 4096);
        Path f32 = synth("f32.gguf", Format.GGUF, c, GgmlType.F32), out = dir.resolve("q4km.gguf");
        GgufQuantizer.quantize(f32, out, QuantType.Q4_K_M, ProgressListener.NONE);
        Map<String, GgmlType> t = types(out);
        assertEquals(1 + 9 * 8 + 2, t.size());
        assertEquals(GgmlType.Q4_K, t.get("token_embd.weight"));
        assertEquals(GgmlType.Q6_K, t.get("output.weight"));
        assertEquals(GgmlType.F32, t.get("output_norm.weight"));
        List<Integer> moreBits = List.of(0, 3, 6, 7);
        for (int l = 0; l < 8; l++) {
            boolean more = moreBits.contains(l);
            String p = "blk." + l + ".";
            assertEquals(more ? GgmlType.Q6_K : GgmlType.Q4_K, t.get(p + "attn_v.weight"), p + "attn_v");
            assertEquals(more ? GgmlType.Q8_0 : GgmlType.Q5_0, t.get(p + "ffn_down.weight"), p + "ffn_down (fallback)");
            for (String s : List.of("attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up")) {
                assertEquals(GgmlType.Q4_K, t.get(p + s + ".weight"), p + s);
            }
            assertEquals(GgmlType.F32, t.get(p + "attn_norm.weight"));
            assertEquals(GgmlType.F32, t.get(p + "ffn_norm.weight"));
        }
        // Q4_K keeps about 4.5 bits a weight; Q6_K (rows of 320 fall back to Q8_0) must land closer.
        try (LoadedModel a = ModelLoader.load(f32); LoadedModel b = ModelLoader.load(out)) {
            float[] la = logits(a, PROMPT);
            double cosQ4 = cosine(la, logits(b, PROMPT));
            // random 8-layer models amplify weight noise: measured 0.985 for Q4_K_M (Q4_0 0.978, Q6_K 0.9988)
            assertTrue(cosQ4 > 0.97, "Q4_K_M vs F32 cosine " + cosQ4);
            Path q6 = dir.resolve("q6.gguf");
            GgufQuantizer.quantize(f32, q6, QuantType.Q6_K, ProgressListener.NONE);
            types(q6).forEach((name, type) -> assertEquals(name.endsWith("norm.weight") ? GgmlType.F32
                    : name.startsWith("blk.") && name.contains("ffn_down") ? GgmlType.Q8_0 : GgmlType.Q6_K, type, name));
            try (LoadedModel c6 = ModelLoader.load(q6)) {
                double cosQ6 = cosine(la, logits(c6, PROMPT));
                assertTrue(cosQ6 > cosQ4 && cosQ6 > 0.995, "Q6_K vs F32 cosine " + cosQ6 + " (Q4_K_M " + cosQ4 + ")");
            }
        }
    }

    @Test
    void badInputsAreClearErrors() throws Exception {
        Path hf = synth("hf", Format.HF, TINY, GgmlType.BF16);
        Files.delete(hf.resolve("config.json"));
        var e = assertThrows(ModelFileException.class, () -> GgufQuantizer.quantize(hf, dir.resolve("x.gguf"), QuantType.Q8_0, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x.gguf")));

        Path gguf = synth("m.gguf", Format.GGUF, TINY, GgmlType.F32);
        e = assertThrows(ModelFileException.class, () -> GgufQuantizer.quantize(gguf, gguf, QuantType.Q8_0, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("output is the input"), e.getMessage());
        e = assertThrows(ModelFileException.class, () -> GgufQuantizer.quantize(gguf, dir.resolve("no/such/dir/o.gguf"), QuantType.Q8_0, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(ModelFileException.class, () -> GgufQuantizer.quantize(dir.resolve("missing"), dir.resolve("o.gguf"), QuantType.Q8_0, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    /** Counts what the quantizer reports. */
    static final class Recorder implements ProgressListener {
        final List<String> starts = new ArrayList<>();
        final AtomicLong bytes = new AtomicLong();
        int finishes;

        @Override public synchronized void start(String name, long total, long alreadyDone) { starts.add(name); }
        @Override public void advance(long n) { bytes.addAndGet(n); }
        @Override public synchronized void finish() { finishes++; }
    }
}
