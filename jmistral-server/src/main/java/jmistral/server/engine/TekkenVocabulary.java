package jmistral.server.engine;

import jmistral.generate.constraint.TokenVocabulary;
import jmistral.tokenizer.Tekken;

/** The constraint engine's view of the Tekken vocabulary: token bytes, null for control tokens. */
record TekkenVocabulary(Tekken tekken) implements TokenVocabulary {

    @Override
    public int size() { return tekken.vocabSize(); }

    @Override
    public byte[] bytes(int id) { return tekken.isSpecial(id) ? null : tekken.tokenBytes(id); }

    @Override
    public int eosId() { return tekken.eos(); }
}
