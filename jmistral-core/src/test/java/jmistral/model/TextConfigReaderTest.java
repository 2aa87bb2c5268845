package jmistral.model;

import jmistral.ModelFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The three config formats give the real model's TextConfig (values of model-arch.md section 1). */
class TextConfigReaderTest {
    static final TextConfig REAL = new TextConfig(5120, 40, 128, 32768, 32, 8, 1e-5, 1e9, 131072, 131072);

    static Map<String, Object> ggufMeta(String arch) {
        Map<String, Object> m = new HashMap<>();
        m.put("general.architecture", arch);
        m.put(arch + ".block_count", 40L);
        m.put(arch + ".context_length", 131072L);
        m.put(arch + ".embedding_length", 5120L);
        m.put(arch + ".feed_forward_length", 32768L);
        m.put(arch + ".attention.head_count", 32L);
        m.put(arch + ".attention.head_count_kv", 8L);
        m.put(arch + ".rope.freq_base", 1e9f);
        m.put(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        m.put(arch + ".attention.key_length", 128L);
        m.put(arch + ".vocab_size", 131072L);
        return m;
    }

    @Test
    void absurdSizesAreRefusedByName() {
        Map<String, Object> m = ggufMeta("llama");
        m.put("llama.block_count", 1_000_000L);
        m.put("llama.vocab_size", 1L << 30);
        var e = assertThrows(ModelFileException.class, () -> TextConfigReader.fromGguf(m, Path.of("x.gguf")));
        assertTrue(e.getMessage().contains("layer count 1000000 is above the limit of 1024"), e.getMessage());
        assertTrue(e.getMessage().contains("vocab size 1073741824 is above the limit"), e.getMessage());
        m.put("llama.block_count", 1L << 31);
        e = assertThrows(ModelFileException.class, () -> TextConfigReader.fromGguf(m, Path.of("x.gguf")));
        assertTrue(e.getMessage().contains("llama.block_count = 2147483648 is not a non-negative integer"), e.getMessage());
    }

    @Test
    void ggufBothArchPrefixes() {
        for (String arch : List.of("llama", "mistral3")) {
            TextConfig c = TextConfigReader.fromGguf(ggufMeta(arch), Path.of("x.gguf"));
            assertEquals(REAL, new TextConfig(c.dim(), c.nLayers(), c.headDim(), c.hiddenDim(), c.nHeads(), c.nKvHeads(), 1e-5, c.ropeTheta(), c.vocabSize(), c.maxSeqLen()));
            assertEquals(1e-5, c.normEps(), 1e-12);
        }
    }

    @Test
    void ggufVocabFromTokenizerAndMissingKeysListed() {
        Map<String, Object> m = ggufMeta("llama");
        m.remove("llama.vocab_size");
        m.put("tokenizer.ggml.tokens", java.util.Collections.nCopies(1234, "x"));
        assertEquals(1234, TextConfigReader.fromGguf(m, Path.of("x.gguf")).vocabSize());
        m.remove("llama.block_count");
        m.remove("llama.embedding_length");
        var e = assertThrows(ModelFileException.class, () -> TextConfigReader.fromGguf(m, Path.of("x.gguf")));
        assertTrue(e.getMessage().contains("missing llama.block_count") && e.getMessage().contains("missing llama.embedding_length"), e.getMessage());
        m.put("general.architecture", "qwen2");
        assertThrows(ModelFileException.class, () -> TextConfigReader.fromGguf(m, Path.of("x.gguf")));
    }

    @Test
    void hfConfigTextConfigAndPlain(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        String text = """
            {"head_dim": 128, "hidden_size": 5120, "intermediate_size": 32768, "max_position_embeddings": 131072,
             "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 40, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_theta": 1000000000.0, "sliding_window": null, "vocab_size": 131072}""";
        Files.writeString(f, "{\"architectures\": [\"Mistral3ForConditionalGeneration\"], \"image_token_index\": 10, \"text_config\": " + text + "}");
        assertEquals(REAL, TextConfigReader.fromHfConfig(f));
        Files.writeString(f, text);
        assertEquals(REAL, TextConfigReader.fromHfConfig(f));
        Files.writeString(f, "{\"hidden_size\": 5120}");
        var e = assertThrows(ModelFileException.class, () -> TextConfigReader.fromHfConfig(f));
        assertTrue(e.getMessage().contains("missing num_hidden_layers"), e.getMessage());
    }

    @Test
    void nativeParams(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("params.json");
        Files.writeString(f, """
            {"dim": 5120, "n_layers": 40, "head_dim": 128, "hidden_dim": 32768, "n_heads": 32, "n_kv_heads": 8,
             "rope_theta": 1000000000.0, "norm_eps": 1e-05, "vocab_size": 131072,
             "vision_encoder": {"hidden_size": 1024}}""");
        assertEquals(REAL, TextConfigReader.fromParamsJson(f));
    }

    @Test
    void inconsistentGeometryRejected() {
        var e = assertThrows(ModelFileException.class, () -> TextConfigReader.validate(
                new TextConfig(64, 2, 31, 96, 4, 3, 1e-5, 1e9, 256, 4096), Path.of("p.json")));
        assertTrue(e.getMessage().contains("head_dim 31") && e.getMessage().contains("kv head count 3"), e.getMessage());
    }
}
