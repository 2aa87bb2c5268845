package jmistral.chat;

/**
 * Behaviours of mistral-common that changed after the model shipped. {@link #CURRENT} follows
 * mistral-common 1.11 (what vLLM and transformers use now); {@link #MISTRAL_COMMON_1_6_3} reproduces the
 * version current at the model's release (June/July 2025).
 *
 * @param normalizeToolContent     re-serialize tool results that parse as JSON (1.6.x) instead of passing them raw
 * @param reorderToolResults       put results of parallel calls in call order (since 1.10)
 * @param continueFinalAppendsEos  continue_final_message was ignored, so {@code </s>} was still appended (1.6.x)
 */
public record PromptFormat(boolean normalizeToolContent, boolean reorderToolResults, boolean continueFinalAppendsEos) {
    public static final PromptFormat CURRENT = new PromptFormat(false, true, false);
    public static final PromptFormat MISTRAL_COMMON_1_6_3 = new PromptFormat(true, false, true);
}
