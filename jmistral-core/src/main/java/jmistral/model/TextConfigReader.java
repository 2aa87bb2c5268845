package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.ModelFileException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fills a {@link TextConfig} from each checkpoint format's configuration: GGUF metadata, Hugging Face
 * {@code config.json} (plain MistralForCausalLM or the {@code text_config} of
 * Mistral3ForConditionalGeneration) and Mistral native {@code params.json}. Keys: model-arch.md 1, 4.
 * Every missing or unusable key is reported in one error.
 */
public final class TextConfigReader {
    private TextConfigReader() {}

    /** Trained context of Mistral Small 3.x, used when a file does not say. */
    static final int DEFAULT_CONTEXT = 131072;

    /**
     * From GGUF metadata (GgufFile.metadata()). The key prefix is general.architecture: {@code llama}
     * for mid-2025 community files, {@code mistral3} for newer conversions.
     */
    public static TextConfig fromGguf(Map<String, ?> meta, Path file) {
        Object archValue = meta.get("general.architecture");
        if (!(archValue instanceof String arch)) {
            throw new ModelFileException(file, -1, "GGUF metadata has no string general.architecture");
        }
        if (!arch.equals("llama") && !arch.equals("mistral3")) {
            throw new ModelFileException(file, -1, "general.architecture is '" + arch
                    + "'; a Mistral text model is 'llama' or 'mistral3'");
        }
        Keys k = new Keys(file, key -> meta.get(arch + "." + key), arch + ".");
        int dim = k.integer("embedding_length");
        int nHeads = k.integer("attention.head_count");
        int vocab;
        if (meta.get(arch + ".vocab_size") != null) {
            vocab = k.integer("vocab_size");
        } else if (meta.get("tokenizer.ggml.tokens") instanceof List<?> tokens) {
            vocab = tokens.size();
        } else {
            vocab = k.integer("vocab_size"); // reports it missing
        }
        TextConfig c = new TextConfig(dim, k.integer("block_count"),
                k.integerOr("attention.key_length", nHeads > 0 ? dim / nHeads : 0),
                k.integer("feed_forward_length"), nHeads,
                k.integerOr("attention.head_count_kv", nHeads),
                k.real("attention.layer_norm_rms_epsilon"), k.realOr("rope.freq_base", 10000.0),
                vocab, k.integerOr("context_length", DEFAULT_CONTEXT));
        k.throwIfErrors();
        return validate(c, file);
    }

    /** From a Hugging Face config.json: its text_config when present, else the top level. */
    public static TextConfig fromHfConfig(Path configJson) {
        JsonNode root = readJson(configJson);
        JsonNode t = root.has("text_config") && root.get("text_config").isObject() ? root.get("text_config") : root;
        Keys k = new Keys(configJson, key -> json(t, key), root == t ? "" : "text_config.");
        int dim = k.integer("hidden_size");
        int nHeads = k.integer("num_attention_heads");
        double theta = json(t, "rope_theta") != null ? k.real("rope_theta")
                : t.path("rope_parameters").path("rope_theta").isNumber()
                ? t.path("rope_parameters").path("rope_theta").asDouble() : k.real("rope_theta");
        TextConfig c = new TextConfig(dim, k.integer("num_hidden_layers"),
                k.integerOr("head_dim", nHeads > 0 ? dim / nHeads : 0),
                k.integer("intermediate_size"), nHeads, k.integerOr("num_key_value_heads", nHeads),
                k.real("rms_norm_eps"), theta, k.integer("vocab_size"),
                k.integerOr("max_position_embeddings", DEFAULT_CONTEXT));
        k.throwIfErrors();
        return validate(c, configJson);
    }

    /** From a Mistral native params.json. */
    public static TextConfig fromParamsJson(Path paramsJson) {
        JsonNode t = readJson(paramsJson);
        Keys k = new Keys(paramsJson, key -> json(t, key), "");
        int dim = k.integer("dim");
        int nHeads = k.integer("n_heads");
        TextConfig c = new TextConfig(dim, k.integer("n_layers"),
                k.integerOr("head_dim", nHeads > 0 ? dim / nHeads : 0), k.integer("hidden_dim"), nHeads,
                k.integerOr("n_kv_heads", nHeads), k.real("norm_eps"), k.realOr("rope_theta", 10000.0),
                k.integer("vocab_size"), k.integerOr("max_seq_len", DEFAULT_CONTEXT));
        k.throwIfErrors();
        return validate(c, paramsJson);
    }

    // Sane maxima, far above any Mistral model (Small 3.2: dim 5120, 40 layers, ffn 32768, 32 heads of 128,
    // vocab 131072), so a corrupt or hostile size is refused before anything is sized by it.
    static final int MAX_DIM = 1 << 16;
    static final int MAX_LAYERS = 1024;
    static final int MAX_HIDDEN_DIM = 1 << 20;
    static final int MAX_HEADS = 1024;
    static final int MAX_HEAD_DIM = 4096;
    static final int MAX_VOCAB = 1 << 22;
    /** Largest config file read (real ones are a few kB). */
    static final long MAX_CONFIG_BYTES = 16L << 20;

    private static void atMost(List<String> bad, String what, int value, int max) {
        if (value > max) bad.add(what + " " + value + " is above the limit of " + max);
    }

    /** Checks the relations the decoder relies on and the sane maxima; names every broken one. */
    public static TextConfig validate(TextConfig c, Path file) {
        List<String> bad = new ArrayList<>();
        if (c.dim() <= 0) bad.add("hidden size " + c.dim() + " must be > 0");
        if (c.nLayers() <= 0) bad.add("layer count " + c.nLayers() + " must be > 0");
        if (c.hiddenDim() <= 0) bad.add("feed-forward size " + c.hiddenDim() + " must be > 0");
        if (c.nHeads() <= 0) bad.add("head count " + c.nHeads() + " must be > 0");
        if (c.nKvHeads() <= 0 || (c.nHeads() > 0 && c.nHeads() % c.nKvHeads() != 0)) {
            bad.add("kv head count " + c.nKvHeads() + " must be > 0 and divide the head count " + c.nHeads());
        }
        if (c.headDim() <= 0 || c.headDim() % 2 != 0) bad.add("head_dim " + c.headDim() + " must be even and > 0");
        if (c.vocabSize() <= 0) bad.add("vocab size " + c.vocabSize() + " must be > 0");
        if (!(c.normEps() > 0)) bad.add("RMSNorm epsilon " + c.normEps() + " must be > 0");
        if (!(c.ropeTheta() > 1)) bad.add("RoPE theta " + c.ropeTheta() + " must be > 1");
        if (c.maxSeqLen() <= 0) bad.add("context length " + c.maxSeqLen() + " must be > 0");
        atMost(bad, "hidden size", c.dim(), MAX_DIM);
        atMost(bad, "layer count", c.nLayers(), MAX_LAYERS);
        atMost(bad, "feed-forward size", c.hiddenDim(), MAX_HIDDEN_DIM);
        atMost(bad, "head count", c.nHeads(), MAX_HEADS);
        atMost(bad, "kv head count", c.nKvHeads(), MAX_HEADS);
        atMost(bad, "head_dim", c.headDim(), MAX_HEAD_DIM);
        atMost(bad, "vocab size", c.vocabSize(), MAX_VOCAB);
        if (!bad.isEmpty()) throw new ModelFileException(file, -1, "unusable text model configuration: " + String.join("; ", bad));
        return c;
    }

    private static JsonNode readJson(Path file) {
        try {
            long size = java.nio.file.Files.size(file);
            if (size > MAX_CONFIG_BYTES) {
                throw new ModelFileException(file, -1, "configuration file of " + size + " bytes is above the limit of "
                        + MAX_CONFIG_BYTES + " bytes");
            }
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            if (n == null || !n.isObject()) throw new ModelFileException(file, -1, "not a JSON object");
            return n;
        } catch (IOException e) {
            throw new ModelFileException(file, -1, "cannot read JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage() + " at " + j.getLocation().offsetDescription() : e.getMessage()), e);
        }
    }

    /** A JSON value as a Java number/string, or null when absent or null. */
    private static Object json(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (v.isNumber()) return v.numberValue();
        return v.asText();
    }

    /** Reads typed values by key and collects every problem before failing. */
    private static final class Keys {
        private final Path file;
        private final java.util.function.Function<String, Object> lookup;
        private final String prefix;
        private final List<String> errors = new ArrayList<>();

        Keys(Path file, java.util.function.Function<String, Object> lookup, String prefix) {
            this.file = file;
            this.lookup = lookup;
            this.prefix = prefix;
        }

        int integer(String key) {
            Object v = lookup.apply(key);
            if (v == null) { errors.add("missing " + prefix + key); return 0; }
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE) {
                return n.intValue();
            }
            errors.add(prefix + key + " = " + v + " is not a non-negative integer");
            return 0;
        }

        int integerOr(String key, int fallback) {
            return lookup.apply(key) == null ? fallback : integer(key);
        }

        double real(String key) {
            Object v = lookup.apply(key);
            if (v == null) { errors.add("missing " + prefix + key); return 0; }
            // a float32 GGUF value (1e-5f) means the decimal it was written from (1e-5), not 9.99999974e-6
            if (v instanceof Float f) return Double.parseDouble(Float.toString(f));
            if (v instanceof Number n) return n.doubleValue();
            errors.add(prefix + key + " = " + v + " is not a number");
            return 0;
        }

        double realOr(String key, double fallback) {
            return lookup.apply(key) == null ? fallback : real(key);
        }

        void throwIfErrors() {
            if (!errors.isEmpty()) {
                throw new ModelFileException(file, -1, "text model configuration: " + String.join("; ", errors));
            }
        }
    }
}
