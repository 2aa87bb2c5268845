package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our formula implementation against formula-spot-checks.json (first values and SHA-256 of the f32 bytes). */
class WeightFormulaTest {
    @Test
    void spotChecks() throws Exception {
        JsonNode checks = LlamaCppFixture.json("/fixtures/llamacpp/formula-spot-checks.json");
        for (String model : new String[] {"tiny-a", "zoo"}) {
            JsonNode m = LlamaCppFixture.json(model.equals("zoo") ? "/fixtures/llamacpp/zoo/model.json" : "/fixtures/llamacpp/tiny-a.expected.json").get("model");
            TextConfig c = LlamaCppFixture.config(m);
            Map<String, SynthTensor> tensors = new java.util.HashMap<>();
            for (SynthTensor t : SynthModel.tensors(c, m.get("seed").asLong(), TekkenTestVocab.tokenBytes(), TensorNames.GGUF)) tensors.put(t.name(), t);
            for (Iterator<Map.Entry<String, JsonNode>> it = checks.get(model).fields(); it.hasNext(); ) {
                var e = it.next();
                float[] data = tensors.get(e.getKey()).data().get();
                for (int i = 0; i < 4; i++) assertEquals(e.getValue().get("first4").get(i).asDouble(), data[i], 0.0, model + " " + e.getKey() + "[" + i + "]");
                ByteBuffer bb = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(data);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bb.array()));
                assertEquals(e.getValue().get("sha256_f32le").asText(), sha, model + " " + e.getKey());
            }
        }
    }
}
