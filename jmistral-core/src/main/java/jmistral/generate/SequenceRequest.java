package jmistral.generate;

import java.util.Objects;

/**
 * One sequence to generate.
 *
 * @param prompt      prompt token ids (BOS included if wanted; the scheduler adds nothing)
 * @param embeddings  optional [prompt.length][dim] input embeddings; a non-null row replaces the token's
 *                    embedding (image patches). The prefix cache tells such positions apart by the
 *                    row's content, not the token id ([IMG] for every picture; see {@link #prefixKeys}).
 *                    May be null.
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

    /**
     * What the prefix cache compares for the prompt: the token id where the token's embedding is used
     * (ids are >= 0), and for a position with an embedding row a negative 64-bit hash of the row's
     * contents. Two requests then share KV through an image only when they hold the same pixels there
     * (a later chat turn resending its picture), never for two pictures that both read [IMG].
     */
    long[] prefixKeys() {
        long[] keys = new long[prompt.length];
        for (int i = 0; i < prompt.length; i++) {
            float[] row = embeddings == null ? null : embeddings[i];
            keys[i] = row == null ? prompt[i] : rowKey(row);
        }
        return keys;
    }

    /** A 64-bit hash of the row's float bits with the sign bit set (token ids are >= 0). */
    private static long rowKey(float[] row) {
        long h = row.length;
        for (float v : row) h = (h + Float.floatToRawIntBits(v)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return h | Long.MIN_VALUE;
    }
}
