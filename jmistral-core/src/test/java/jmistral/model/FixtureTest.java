package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.model.synth.SynthModel;
import org.junit.jupiter.api.Test;

/** The decoder against llama.cpp's outputs on formula-built models (the independent oracle). */
class FixtureTest {
    static final String DIR = "/fixtures/llamacpp/";

    static TextModel formulaModel(TextConfig c, long seed) {
        MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(c, seed, TekkenTestVocab.tokenBytes(), TensorNames.GGUF));
        return new TextModel(Checkpoint.load(src, c), src);
    }

    @Test
    void tinyA() {
        JsonNode fixture = LlamaCppFixture.json(DIR + "tiny-a.expected.json");
        JsonNode m = fixture.get("model");
        try (TextModel model = formulaModel(LlamaCppFixture.config(m), m.get("seed").asLong())) {
            double worst = LlamaCppFixture.check(model, fixture.get("cases"), 0.02, "tiny-a");
            System.out.println("tiny-a: worst log-prob difference " + worst);
        }
    }

    @Test
    void zooF32() {
        JsonNode m = LlamaCppFixture.json(DIR + "zoo/model.json").get("model");
        try (TextModel model = formulaModel(LlamaCppFixture.config(m), m.get("seed").asLong())) {
            double worst = LlamaCppFixture.check(model, LlamaCppFixture.json(DIR + "zoo/zoo-F32.expected.json"), 0.02, "zoo-F32");
            System.out.println("zoo-F32: worst log-prob difference " + worst);
        }
    }
}
