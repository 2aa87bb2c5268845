package jmistral.generate.constraint;

/**
 * What the constraint engine needs to know about a tokenizer: how many ids there are, the raw bytes each
 * ordinary token stands for, and which id ends an answer. Kept this small on purpose so the engine does
 * not depend on a particular tokenizer class (Tekken implements it trivially: tokenBytes / isSpecial / eos).
 */
public interface TokenVocabulary {

    /** Number of token ids (131072 for Tekken v11). */
    int size();

    /** The bytes of an ordinary token, or null for a special/control token (ids 0..999 in Tekken). */
    byte[] bytes(int id);

    /** The end-of-sequence id (2 = {@code </s>} in Tekken). */
    int eosId();

    /** A Tekken tokenizer seen as a vocabulary: special ids have no bytes. */
    static TokenVocabulary of(jmistral.tokenizer.Tekken tekken) {
        return of(tekken, tekken.vocabSize());
    }

    /**
     * A Tekken tokenizer over a model's vocabulary of {@code size} ids (at least the tokenizer's): ids the
     * tokenizer does not know (padding rows of the embedding) have no bytes, so they are never allowed.
     */
    static TokenVocabulary of(jmistral.tokenizer.Tekken tekken, int size) {
        if (size < tekken.vocabSize())
            throw new IllegalArgumentException("the model has " + size + " token ids, fewer than the tokenizer's " + tekken.vocabSize());
        return new TokenVocabulary() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public byte[] bytes(int id) {
                return id >= tekken.vocabSize() || tekken.isSpecial(id) ? null : tekken.tokenBytes(id);
            }

            @Override
            public int eosId() {
                return tekken.eos();
            }
        };
    }
}
