package jmistral.generate;

/** The prompt plus the requested completion does not fit in the context. */
public final class ContextOverflowException extends RuntimeException {

    private final int promptTokens;
    private final int maxTokens;
    private final int contextLimit;

    public ContextOverflowException(int promptTokens, int maxTokens, int contextLimit) {
        super(maxTokens > 0
                ? "the context holds " + contextLimit + " tokens, but the request needs "
                  + (promptTokens + maxTokens) + " (" + promptTokens + " in the prompt, " + maxTokens
                  + " for the completion); shorten the prompt or lower max_tokens"
                : "the context holds " + contextLimit + " tokens, but the prompt has " + promptTokens
                  + " and at least one more is needed for the completion; shorten the prompt");
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.contextLimit = contextLimit;
    }

    public int promptTokens() { return promptTokens; }

    /** Requested completion tokens (0 = not given). */
    public int maxTokens() { return maxTokens; }

    public int contextLimit() { return contextLimit; }
}
