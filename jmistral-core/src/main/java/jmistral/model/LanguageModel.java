package jmistral.model;

import java.util.List;

/**
 * The text decoder as the generation layer sees it: one forward step over any mix of sequences
 * (prefill chunks and single decode tokens), so weights are read once per step for all of them.
 */
public interface LanguageModel extends AutoCloseable {

    TextConfig config();

    /**
     * A KV cache pool for up to maxTokens tokens in total (all sequences together).
     * Throws with a message saying how many bytes it needs when memory does not allow it.
     */
    KvCache createCache(int maxTokens, KvCacheType type);

    /**
     * Runs the batch: appends every entry's tokens to its cache and returns, per entry, the logits
     * [vocab] of its last token, or [tokens.length * vocab] when the entry asks for all logits.
     */
    List<float[]> forward(List<BatchEntry> batch);

    /**
     * Hands back the arrays a {@link #forward} returned, once the caller is done with them (it must not read them
     * afterwards): a later forward may fill one of them instead of allocating. Optional; callers that keep logits
     * simply do not call it.
     */
    default void recycle(List<float[]> logits) {}

    @Override
    void close();
}
