package jmistral.generate;

/**
 * Speculative decoding by prompt lookup (as vLLM's "ngram" method and llama.cpp's lookup decoding):
 * when the newest tokens of a sequence already occurred earlier in its prompt or output, the tokens
 * that followed them there are proposed as a draft and verified in the same forward pass as the
 * sequence's next token. Accepted drafts are tokens gained for one weight read; output is unchanged
 * (see {@link Scheduler}).
 *
 * <p>A draft costs compute even when it is rejected (on CPUs the matmuls are compute-bound: a forward
 * of n tokens costs more than one of 1 token, though far less than n of them), so three limits keep
 * drafts where they pay: each sequence adapts its draft length to what it got accepted lately (all
 * accepted: twice as many next time, up to K; else one more than were accepted), a sequence whose
 * draft was wholly rejected drafts nothing for 1, 2, 4 .. 32 steps (see {@link Scheduler}), and a step takes
 * drafts only up to {@code stepTokens} tokens in all: 8 by default, what one pass of the multi-token kernels
 * computes for the price of about one token's weights read. A token past that costs about as much as decoding
 * it: on the 40-layer Q4_K_M model (the 24B model's size) a forward of 9 positions took 2.0-2.2 s against
 * 1.5-1.9 s for 8 (and 0.55-0.7 s for one), and with drafts filling steps up to 16 tokens, 8 streaming
 * clients read 3.71-3.76 tok/s aggregate against 4.40-4.90 with speculation off (two alternated rounds,
 * 2026-12-08; 103 of 191 drafts accepted): a full batch is now left without drafts.
 *
 * @param draftTokens most draft tokens verified per sequence and step (K); 0 turns speculation off
 * @param minNgram    shortest run of newest tokens that must match earlier in the sequence to draft
 * @param maxNgram    longest run tried first (a longer match predicts the continuation better)
 * @param stepTokens  drafts are added to a step only while its tokens (decode tokens and drafts of all
 *                    sequences) stay within this
 */
public record Speculation(int draftTokens, int minNgram, int maxNgram, int stepTokens) {

    /**
     * 8 draft tokens from matches of 2 to 4 tokens, steps of up to 8 tokens with drafts (so a single sequence's
     * draft is at most 7 tokens: with its own token, one pass of 8).
     */
    public static final Speculation DEFAULT = new Speculation(8, 2, 4, 8);

    /** Plain decoding: one token per sequence and step. */
    public static final Speculation OFF = new Speculation(0, 2, 4, 8);

    /** Most draft tokens accepted: K. */
    public static final int MAX_DRAFT_TOKENS = 64;

    public Speculation {
        if (draftTokens < 0 || draftTokens > MAX_DRAFT_TOKENS)
            throw new IllegalArgumentException("draft tokens must be in [0, " + MAX_DRAFT_TOKENS + "], got " + draftTokens);
        if (minNgram < 1) throw new IllegalArgumentException("the shortest n-gram must be >= 1 token, got " + minNgram);
        if (maxNgram < minNgram)
            throw new IllegalArgumentException("the longest n-gram (" + maxNgram + ") is shorter than the shortest (" + minNgram + ")");
        if (stepTokens < 2) throw new IllegalArgumentException("a step with drafts needs room for >= 2 tokens, got " + stepTokens);
    }

    /** The same settings with k draft tokens (0 = off). */
    public Speculation withDraftTokens(int k) { return new Speculation(k, minNgram, maxNgram, stepTokens); }

    /** The same settings with steps of up to n tokens when they carry drafts. */
    public Speculation withStepTokens(int n) { return new Speculation(draftTokens, minNgram, maxNgram, n); }

    public boolean enabled() { return draftTokens > 0; }
}
