package jmistral.generate.constraint;

import java.util.BitSet;

/**
 * The constraint of one sequence: which tokens may come next, advanced by each sampled token. Cheap to
 * copy ({@link #copy()}) because the parser states it points to are immutable and shared, which also
 * makes rollback (speculative decoding) a matter of keeping the old object. Not thread-safe itself
 * (one sequence = one thread at a time); the {@link GrammarMatcher} behind it is.
 *
 * <p>Typical use in a sampler: {@code state.fillAllowed(words)}; set logits of ids whose bit is 0 to
 * -inf; sample; {@code state.advance(id)}; stop when {@code id == eos} (then {@link #isFinished()}).
 */
public final class ConstraintState implements jmistral.generate.TokenConstraint {

    private final GrammarMatcher matcher;
    private ParserState state;
    private boolean finished;

    ConstraintState(GrammarMatcher matcher, ParserState state) {
        this.matcher = matcher;
        this.state = state;
    }

    /** Consumes a token. Throws IllegalArgumentException (naming the token) if it is not allowed. */
    @Override
    public void advance(int tokenId) {
        if (!tryAdvance(tokenId)) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed by the constraint here"
                    + (finished ? " (the constrained answer already ended)" : ""));
        }
    }

    /** Consumes the token if allowed and returns true; otherwise leaves the state unchanged. */
    public boolean tryAdvance(int tokenId) {
        if (finished) return false;
        VocabularyTrie trie = matcher.trie();
        if (tokenId == trie.eosId()) {
            if (!state.accepting) return false;
            finished = true;
            return true;
        }
        ParserState next = advanceState(state, tokenId);
        if (next.isDead()) return false;
        state = next;
        return true;
    }

    /** Walks a copy of this state over the tokens (a speculative draft); this state does not move. */
    @Override
    public int acceptablePrefix(int[] tokens, int n) {
        ConstraintState probe = copy();
        int i = 0;
        while (i < n && probe.tryAdvance(tokens[i])) i++;
        return i;
    }

    /** Is the token allowed next? (Walks the token's bytes; does not need the mask.) */
    public boolean isAllowed(int tokenId) {
        if (finished) return false;
        if (tokenId == matcher.trie().eosId()) return state.accepting;
        return !advanceState(state, tokenId).isDead();
    }

    private ParserState advanceState(ParserState s, int tokenId) {
        byte[] bytes = matcher.trie().bytes(tokenId);
        if (bytes == null) return matcher.stepToken(s, tokenId);
        for (byte b : bytes) {
            s = matcher.step(s, b & 0xFF);
            if (s.isDead()) return s;
        }
        return s;
    }

    /** Copies the allowed-token mask into {@code dst} (length {@link VocabularyTrie#maskWords()}). */
    public void fillAllowed(long[] dst) {
        if (finished) {
            java.util.Arrays.fill(dst, 0L);
            return;
        }
        long[] m = matcher.mask(state);
        System.arraycopy(m, 0, dst, 0, m.length);
    }

    /** The allowed tokens as a new BitSet (never null; {@link #fillAllowed} avoids the allocation). */
    @Override
    public BitSet allowedTokens() {
        long[] words = new long[matcher.trie().maskWords()];
        fillAllowed(words);
        return BitSet.valueOf(words);
    }

    /** EOS is allowed now: the output so far is a complete answer (it may still be extended). */
    public boolean canEnd() {
        return !finished && state.accepting;
    }

    /** The answer is complete and nothing but EOS may follow (or EOS was already consumed). */
    public boolean isComplete() {
        return finished || state.onlyEnd();
    }

    /** EOS has been consumed. */
    public boolean isFinished() {
        return finished;
    }

    /** Whether the current mask is already memoized (benchmarks tell cold from warm masks). */
    boolean maskCached() {
        return finished || state.mask != null;
    }

    /** An independent copy (for rollback / beam / speculative branches). */
    public ConstraintState copy() {
        ConstraintState c = new ConstraintState(matcher, state);
        c.finished = finished;
        return c;
    }
}
