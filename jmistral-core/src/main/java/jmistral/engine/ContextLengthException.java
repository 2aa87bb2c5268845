package jmistral.engine;

/** The prompt plus the requested answer does not fit in the context: says how many tokens were needed and how many fit. */
public final class ContextLengthException extends InvalidRequestException {
    private final int promptTokens;
    private final int maxTokens;
    private final int contextLimit;

    public ContextLengthException(int promptTokens, int maxTokens, int contextLimit, String message) {
        super("messages", message);
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.contextLimit = contextLimit;
    }

    public int promptTokens() { return promptTokens; }

    /** Answer tokens asked for (at least 1). */
    public int maxTokens() { return maxTokens; }

    /** Tokens one request may hold (prompt + answer). */
    public int contextLimit() { return contextLimit; }
}
