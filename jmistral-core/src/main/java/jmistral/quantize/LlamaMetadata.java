package jmistral.quantize;

import jmistral.gguf.GgufWriter;
import jmistral.model.TextConfig;
import jmistral.model.TextConfigWriter;

import java.util.Map;
import java.util.Set;

/**
 * The metadata llama.cpp writes for Mistral Small 3.x under arch {@code llama} (what the mid-2025
 * community files use; model-arch.md 4c), and the keys carried over from an input GGUF.
 */
final class LlamaMetadata {
    private LlamaMetadata() {}

    static final String ARCH = TextConfigWriter.GGUF_ARCH;
    /** Keys of an input GGUF that describe the input's encoding, not the model: never copied. */
    private static final Set<String> NOT_COPIED = Set.of("general.architecture", "general.file_type",
            "general.quantization_version", "general.alignment");

    /** general.* identity first, then the hyper-parameters. */
    static void write(GgufWriter w, TextConfig c, String name, QuantType type) {
        w.putString("general.architecture", ARCH).putString("general.name", name);
        TextConfigWriter.toGguf(w, c)
                .putUInt32("general.file_type", type.fileType)
                .putUInt32("general.quantization_version", 2);
    }

    /**
     * Copies an input GGUF's general.* (name, license, ...) and tokenizer.* keys, leaving out what
     * describes the input file's own encoding; hyper-parameters are rewritten by {@link #write}.
     * @return whether the input held a tokenizer
     */
    static boolean copyFromGguf(GgufWriter w, Map<String, Object> input) {
        input.forEach((k, v) -> {
            if ((k.startsWith("general.") || k.startsWith("tokenizer.")) && !NOT_COPIED.contains(k)) w.putPlain(k, v);
        });
        return input.containsKey("tokenizer.ggml.tokens");
    }
}
