package jmistral.generate;

/**
 * Speculative decoding by prompt lookup (as vLLM's "ngram" method and llama.cpp's lookup decoding):
 * when the newest tokens of a sequence already occurred earlier in its prompt or output, the tokens
 * that followed them there are proposed as a draft and verified in the same forward pass as the
 * sequence's next token. Accepted drafts are tokens gained for one weight read; output is unchanged
 * (see {@link Scheduler}).
 *
 * @param draftTokens most draft tokens verified per sequence and step (K); 0 turns speculation off
 * @param minNgram    shortest run of newest tokens that must match earlier in the sequence to draft
 * @param maxNgram    longest run tried first (a longer match predicts the continuation better)
 */
public record Speculation(int draftTokens, int minNgram, int maxNgram) {

    /** 8 draft tokens from matches of 2 to 4 tokens. */
    public static final Speculation DEFAULT = new Speculation(8, 2, 4);

    /** Plain decoding: one token per sequence and step. */
    public static final Speculation OFF = new Speculation(0, 2, 4);

    /** Most draft tokens accepted: K. */
    public static final int MAX_DRAFT_TOKENS = 64;

    public Speculation {
        if (draftTokens < 0 || draftTokens > MAX_DRAFT_TOKENS)
            throw new IllegalArgumentException("draft tokens must be in [0, " + MAX_DRAFT_TOKENS + "], got " + draftTokens);
        if (minNgram < 1) throw new IllegalArgumentException("the shortest n-gram must be >= 1 token, got " + minNgram);
        if (maxNgram < minNgram)
            throw new IllegalArgumentException("the longest n-gram (" + maxNgram + ") is shorter than the shortest (" + minNgram + ")");
    }

    /** The same n-gram lengths with k draft tokens (0 = off). */
    public Speculation withDraftTokens(int k) { return new Speculation(k, minNgram, maxNgram); }

    public boolean enabled() { return draftTokens > 0; }
}
