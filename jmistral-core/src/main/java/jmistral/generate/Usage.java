package jmistral.generate;

/**
 * Token accounting of one request (OpenAI usage).
 *
 * @param promptTokens       tokens in the prompt
 * @param completionTokens   tokens generated (a stop token counts, as in vLLM)
 * @param cachedPromptTokens prompt tokens whose KV came from the prefix cache (not recomputed)
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public int totalTokens() { return promptTokens + completionTokens; }
}
