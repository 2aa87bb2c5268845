package jmistral.model;

import jmistral.gguf.GgufWriter;

/**
 * The inverse of {@link TextConfigReader#fromGguf}: a {@link TextConfig} as the {@code llama.*} GGUF keys
 * llama.cpp writes for Mistral Small 3.x (the mid-2025 community files; model-arch.md 4c).
 */
public final class TextConfigWriter {
    private TextConfigWriter() {}

    /** The GGUF architecture these keys are written under. */
    public static final String GGUF_ARCH = "llama";

    /**
     * Puts the hyper-parameters ({@code llama.block_count} ... {@code llama.rope.dimension_count}).
     * {@code general.architecture} is left to the caller, so it can order the {@code general.*} keys.
     */
    public static GgufWriter toGguf(GgufWriter w, TextConfig c) {
        String a = GGUF_ARCH + ".";
        return w.putUInt32(a + "block_count", c.nLayers())
                .putUInt32(a + "context_length", c.maxSeqLen())
                .putUInt32(a + "embedding_length", c.dim())
                .putUInt32(a + "feed_forward_length", c.hiddenDim())
                .putUInt32(a + "attention.head_count", c.nHeads())
                .putUInt32(a + "attention.head_count_kv", c.nKvHeads())
                .putFloat32(a + "rope.freq_base", (float) c.ropeTheta())
                .putFloat32(a + "attention.layer_norm_rms_epsilon", (float) c.normEps())
                .putUInt32(a + "attention.key_length", c.headDim())
                .putUInt32(a + "attention.value_length", c.headDim())
                .putUInt32(a + "vocab_size", c.vocabSize())
                .putUInt32(a + "rope.dimension_count", c.headDim());
    }
}
