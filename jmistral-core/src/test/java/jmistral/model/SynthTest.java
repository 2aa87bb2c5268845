package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static jmistral.model.TinyModels.TINY;
import static jmistral.model.TinyModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.*;

/** Synthesized files through the real loaders: same weights in every format give the same logits. */
class SynthTest {
    static float[] logits(LoadedModel m, int[] tokens) {
        try (KvCache cache = m.model().createCache(64, KvCacheType.F32); SequenceCache s = cache.newSequence()) {
            return m.model().forward(List.of(new BatchEntry(s, tokens, null, true))).getFirst();
        }
    }

    @Test
    void ggufHfAndNativeGiveTheSameLogits(@TempDir Path dir) throws Exception {
        int[] toks = TinyModels.tokens(24, 11, TINY.vocabSize());
        Path gguf = dir.resolve("m.gguf"), hf = dir.resolve("hf"), nat = dir.resolve("native");
        Synth.write(gguf, new Synth.Options(LoadedModel.Format.GGUF, TINY, 5, false, GgmlType.F32, 0));
        Synth.write(hf, new Synth.Options(LoadedModel.Format.HF, TINY, 5, false, GgmlType.F32, 100_000));
        Synth.write(nat, new Synth.Options(LoadedModel.Format.NATIVE, TINY, 5, false, GgmlType.F32, 0));
        assertTrue(Files.exists(hf.resolve("model.safetensors.index.json")) && Files.exists(hf.resolve("model-00002-of-00003.safetensors")) || Files.list(hf).filter(p -> p.toString().endsWith(".safetensors")).count() > 1, "sharded");
        try (LoadedModel g = ModelLoader.load(gguf); LoadedModel h = ModelLoader.load(hf); LoadedModel n = ModelLoader.load(nat)) {
            assertEquals(LoadedModel.Format.HF, h.format());
            assertEquals(RopeLayout.ROTATE_HALF, h.model().checkpoint().rope());
            assertEquals(LoadedModel.Format.NATIVE, n.format());
            assertEquals(TINY, h.config());
            assertEquals(TINY, n.config());
            assertTrue(h.tekkenJson().isPresent() && n.tekkenJson().isPresent());
            float[] lg = logits(g, toks), lh = logits(h, toks), ln = logits(n, toks);
            assertTrue(maxAbsDiff(lg, 0, lh, 0, lg.length) < 1e-4, "GGUF vs HF " + maxAbsDiff(lg, 0, lh, 0, lg.length));
            assertTrue(maxAbsDiff(lg, 0, ln, 0, lg.length) < 1e-6, "GGUF vs native");
        }
    }

    @Test
    void quantizedGgufStaysCloseToF32(@TempDir Path dir) throws Exception {
        int[] toks = TinyModels.tokens(10, 12, TINY.vocabSize());
        Path f32 = dir.resolve("f32.gguf"), q8 = dir.resolve("q8.gguf"), bf = dir.resolve("hf-bf16");
        Synth.write(f32, new Synth.Options(LoadedModel.Format.GGUF, TINY, 5, false, GgmlType.F32, 0));
        Synth.write(q8, new Synth.Options(LoadedModel.Format.GGUF, TINY, 5, false, GgmlType.Q8_0, 0));
        Synth.write(bf, new Synth.Options(LoadedModel.Format.HF, TINY, 5, false, GgmlType.BF16, 0));
        try (LoadedModel a = ModelLoader.load(f32); LoadedModel b = ModelLoader.load(q8); LoadedModel c = ModelLoader.load(bf)) {
            assertEquals(GgmlType.Q8_0, b.model().checkpoint().layers()[0].wq().type());
            float[] la = logits(a, toks), lb = logits(b, toks), lc = logits(c, toks);
            float dq = maxAbsDiff(la, 0, lb, 0, la.length), db = maxAbsDiff(la, 0, lc, 0, la.length);
            assertTrue(dq > 0 && dq < 0.5, "Q8_0 vs F32 " + dq); // raw logits span about +-10 here
            assertTrue(db > 0 && db < 0.1, "BF16 vs F32 " + db);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Synth.write(dir.resolve("k.gguf"),
                new Synth.Options(LoadedModel.Format.GGUF, TINY, 5, false, GgmlType.Q4_K, 0)));
        assertTrue(e.getMessage().contains("block size 256"), e.getMessage());
    }

    /** tiny-a rebuilt as a real GGUF file with the Tekken vocabulary, then checked against llama.cpp. */
    @Test
    void tinyAFromSynthesizedGguf(@TempDir Path dir) throws Exception {
        JsonNode fixture = LlamaCppFixture.json("/fixtures/llamacpp/tiny-a.expected.json");
        JsonNode m = fixture.get("model");
        Path file = dir.resolve("tiny-a.gguf");
        Synth.write(file, new Synth.Options(LoadedModel.Format.GGUF, LlamaCppFixture.config(m), m.get("seed").asLong(), true, GgmlType.F32, 0));
        try (LoadedModel model = ModelLoader.load(file)) {
            Tekken tekken = Tekken.fromGgufMetadata(model.ggufMetadata().orElseThrow());
            assertEquals(131072, tekken.vocabSize());
            LlamaCppFixture.check(model.model(), fixture.get("cases"), 0.02, "tiny-a (synth GGUF)");
        }
    }
}
