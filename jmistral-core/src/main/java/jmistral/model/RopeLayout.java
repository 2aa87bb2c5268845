package jmistral.model;

/**
 * Which q/k dimensions RoPE rotates together inside one head of size hd (model-arch.md section 5).
 * Both give identical attention; only the order of q/k rows in the checkpoint differs, so instead of
 * permuting weights at load time the model rotates the pairs the checkpoint was written for.
 */
public enum RopeLayout {
    /** Pair i = dims (2i, 2i+1): Mistral native consolidated and GGUF files. */
    INTERLEAVED,
    /** Pair i = dims (i, i + hd/2): Hugging Face files (q/k rows permuted for rotate_half). */
    ROTATE_HALF;

    /** Index of the first dimension of pair i in a head of size headDim. */
    public int first(int i, int headDim) {
        return this == INTERLEAVED ? 2 * i : i;
    }

    /** Index of the second dimension of pair i in a head of size headDim. */
    public int second(int i, int headDim) {
        return this == INTERLEAVED ? 2 * i + 1 : i + headDim / 2;
    }
}
