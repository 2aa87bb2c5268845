package jmistral.generate;

import java.util.Objects;

/**
 * One sequence to generate.
 *
 * @param prompt      prompt token ids (BOS included if wanted; the scheduler adds nothing)
 * @param embeddings  optional [prompt.length][dim] input embeddings; a non-null row replaces the token's
 *                    embedding (image patches). Positions from the first such row on are never shared
 *                    through the prefix cache (same [IMG] ids, different pictures). May be null.
 * @param params      sampling and stopping
 * @param constraint  optional allowed-token restriction (JSON schema, tool grammar); may be null
 * @param decoder     optional streaming text decoder; needed for stop strings and text in events
 * @param loopGuard   loop detection settings; null = the scheduler's default
 */
public record SequenceRequest(int[] prompt, float[][] embeddings, SamplingParams params,
                              TokenConstraint constraint, TextDecoder decoder, LoopGuard.Config loopGuard) {

    public SequenceRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(params, "params");
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (embeddings != null && embeddings.length != prompt.length)
            throw new IllegalArgumentException("embeddings has " + embeddings.length + " rows for "
                    + prompt.length + " prompt tokens");
        if (!params.stop().isEmpty() && decoder == null)
            throw new IllegalArgumentException("stop strings need a text decoder");
    }

    public static SequenceRequest of(int[] prompt, SamplingParams params) {
        return new SequenceRequest(prompt, null, params, null, null, null);
    }

    public SequenceRequest withDecoder(TextDecoder d) { return new SequenceRequest(prompt, embeddings, params, constraint, d, loopGuard); }
    public SequenceRequest withConstraint(TokenConstraint c) { return new SequenceRequest(prompt, embeddings, params, c, decoder, loopGuard); }
    public SequenceRequest withEmbeddings(float[][] e) { return new SequenceRequest(prompt, e, params, constraint, decoder, loopGuard); }
    public SequenceRequest withLoopGuard(LoopGuard.Config g) { return new SequenceRequest(prompt, embeddings, params, constraint, decoder, g); }

    /** Prompt positions that may be shared through the prefix cache (up to the first embedding row). */
    int shareableLength() {
        if (embeddings == null) return prompt.length;
        for (int i = 0; i < embeddings.length; i++) if (embeddings[i] != null) return i;
        return prompt.length;
    }
}
