package jmistral.model.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jmistral.gguf.GgufWriter;
import jmistral.model.LoadedModel.Format;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.TextConfigWriter;
import jmistral.safetensors.SafetensorsDType;
import jmistral.safetensors.SafetensorsWriter;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Quantizer;
import jmistral.tokenizer.Tekken;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a text model of the Mistral Small 3.2 architecture, at any size, with the real Tekken
 * vocabulary, as a GGUF file (arch llama, interleaved q/k), a Hugging Face folder (config.json,
 * sharded model-*.safetensors + index, q/k permuted, model.language_model.* names) or a native folder
 * (params.json + consolidated.safetensors). Weights come from {@link WeightFormula}: with
 * {@code formula} the fixtures' exact model (output rows of specials and non-UTF-8 tokens zeroed),
 * without it the same seeded hash weights, no rows zeroed.
 */
public final class Synth {
    private Synth() {}

    /** The real Tekken v11 vocabulary shipped with the engine (tekken.json). */
    public static final String TEKKEN_RESOURCE = "/jmistral/tekken/tekken.json";

    public record Options(Format format, TextConfig config, long seed, boolean formula, GgmlType type, long maxShardBytes) {}

    /**
     * Options by name (what {@code jmistral synth} takes): format gguf, hf or native; type F32, F16, BF16
     * (all formats) or a GGUF block type (Q8_0, Q4_K...). A bad name is an IllegalArgumentException saying
     * what is allowed.
     */
    public static Options options(String format, String type, TextConfig config, long seed, boolean formula, long maxShardBytes) {
        Format f = switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "gguf" -> Format.GGUF;
            case "hf" -> Format.HF;
            case "native" -> Format.NATIVE;
            default -> throw new IllegalArgumentException("--format must be gguf, hf or native, not " + format);
        };
        GgmlType t;
        try {
            t = GgmlType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + type + "'; choose one of " + java.util.Arrays.toString(GgmlType.values()));
        }
        return new Options(f, config, seed, formula, t, maxShardBytes);
    }

    /** Writes a synthetic checkpoint in {@code o.format()} to {@code out} (a .gguf file, or a folder for HF and native). */
    public static void write(Path out, Options o) throws IOException {
        Path tekkenJson = Files.createTempFile("tekken", ".json");
        try {
            try (InputStream in = Synth.class.getResourceAsStream(TEKKEN_RESOURCE)) {
                if (in == null) throw new IllegalStateException("missing resource " + TEKKEN_RESOURCE);
                Files.copy(in, tekkenJson, StandardCopyOption.REPLACE_EXISTING);
            }
            Tekken tekken = Tekken.fromTekkenJson(tekkenJson);
            TextConfig c = o.config();
            TensorNames names = switch (o.format()) {
                case GGUF -> TensorNames.GGUF;
                case HF -> TensorNames.HF;
                case NATIVE -> TensorNames.NATIVE;
            };
            List<SynthTensor> tensors = SynthModel.tensors(c, o.seed(), o.formula() ? tekken::tokenBytes : null, names);
            switch (o.format()) {
                case GGUF -> writeGguf(out, c, tensors, o.type(), tekken);
                case HF -> {
                    Files.createDirectories(out);
                    Files.writeString(out.resolve("config.json"), hfConfig(c));
                    safetensors(tensors, o.type()).writeSharded(out, o.maxShardBytes() > 0 ? o.maxShardBytes() : 5_000_000_000L);
                    Files.copy(tekkenJson, out.resolve("tekken.json"), StandardCopyOption.REPLACE_EXISTING);
                }
                case NATIVE -> {
                    Files.createDirectories(out);
                    Files.writeString(out.resolve("params.json"), paramsJson(c));
                    safetensors(tensors, o.type()).write(out.resolve("consolidated.safetensors"));
                    Files.copy(tekkenJson, out.resolve("tekken.json"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            Files.deleteIfExists(tekkenJson);
        }
    }

    private static void writeGguf(Path out, TextConfig c, List<SynthTensor> tensors, GgmlType type, Tekken tekken) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", TextConfigWriter.GGUF_ARCH).putString("general.name", "jmistral synth");
        TextConfigWriter.toGguf(w, c).putUInt32("general.quantization_version", 2);
        // the tokenizer only when the model's vocabulary is Tekken's (tiny vocabularies are cut models)
        if (c.vocabSize() == tekken.vocabSize()) w.putAllPlain(tekken.toGgufMetadata());
        for (SynthTensor t : tensors) {
            GgmlType tt = t.isNorm() ? GgmlType.F32 : type;
            if (tt.isQuantized() && t.torchShape()[1] % tt.blockSize != 0) {
                throw new IllegalArgumentException(t.name() + ": rows of " + t.torchShape()[1] + " values are not a multiple of the "
                        + tt + " block size " + tt.blockSize + "; pick sizes that are");
            }
            w.addTensor(t.name(), tt, t.ggmlShape(), ch -> {
                byte[] bytes = Quantizer.quantize(tt, t.data().get());
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
            });
        }
        w.write(out);
    }

    private static SafetensorsWriter safetensors(List<SynthTensor> tensors, GgmlType type) {
        SafetensorsDType dtype = switch (type) {
            case F32 -> SafetensorsDType.F32;
            case F16 -> SafetensorsDType.F16;
            case BF16 -> SafetensorsDType.BF16;
            default -> throw new IllegalArgumentException("safetensors checkpoints hold F32, F16 or BF16, not " + type);
        };
        SafetensorsWriter w = new SafetensorsWriter();
        for (SynthTensor t : tensors) {
            w.add(t.name(), dtype, t.torchShape(), ch -> {
                byte[] bytes = Quantizer.quantize(type, t.data().get()); // F32/F16/BF16 little-endian, as safetensors
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
            });
        }
        return w;
    }

    static String hfConfig(TextConfig c) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.putArray("architectures").add("Mistral3ForConditionalGeneration");
        root.put("model_type", "mistral3");
        root.put("image_token_index", 10);
        ObjectNode t = root.putObject("text_config");
        t.put("model_type", "mistral").put("hidden_size", c.dim()).put("num_hidden_layers", c.nLayers())
                .put("head_dim", c.headDim()).put("intermediate_size", c.hiddenDim())
                .put("num_attention_heads", c.nHeads()).put("num_key_value_heads", c.nKvHeads())
                .put("rms_norm_eps", c.normEps()).put("rope_theta", c.ropeTheta()).put("vocab_size", c.vocabSize())
                .put("max_position_embeddings", c.maxSeqLen()).put("hidden_act", "silu").putNull("sliding_window");
        t.put("tie_word_embeddings", false);
        return root.toPrettyString();
    }

    static String paramsJson(TextConfig c) {
        ObjectNode p = new ObjectMapper().createObjectNode();
        p.put("dim", c.dim()).put("n_layers", c.nLayers()).put("head_dim", c.headDim()).put("hidden_dim", c.hiddenDim())
                .put("n_heads", c.nHeads()).put("n_kv_heads", c.nKvHeads()).put("rope_theta", c.ropeTheta())
                .put("norm_eps", c.normEps()).put("vocab_size", c.vocabSize()).put("max_seq_len", c.maxSeqLen());
        return p.toPrettyString();
    }
}
