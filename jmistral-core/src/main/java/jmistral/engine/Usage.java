package jmistral.engine;

/**
 * Token accounting of one request (OpenAI's usage).
 *
 * @param promptTokens     tokens of the encoded prompt
 * @param completionTokens tokens generated over all choices (a stop token counts, as in vLLM)
 * @param cachedTokens     prompt tokens whose KV came from the prefix cache (not computed again)
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
    public int totalTokens() { return promptTokens + completionTokens; }
}
