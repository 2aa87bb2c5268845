package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per-sequence state behaviour, and the trie-walk mask held against a plain per-token reference. */
class ConstraintStateTest {

    static final String SCHEMA = """
        {"type":"object","properties":{"id":{"type":"integer","minimum":0,"maximum":99},
         "tags":{"type":"array","items":{"type":"string","maxLength":4},"maxItems":2},
         "name":{"type":["string","null"]}},"required":["id","name"]}""";

    /** Reference: a token is allowed iff stepping its bytes one by one never dies (no trie, no mask cache). */
    static BitSet referenceMask(ConstraintState s) {
        BitSet out = new BitSet();
        for (int id = 0; id < TekkenTestVocabulary.SIZE; id++) if (s.isAllowed(id)) out.set(id);
        return out;
    }

    @Test
    void maskMatchesPerTokenReferenceAlongWalks() {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie());
        for (int seed = 0; seed < 2; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            ConstraintState s = m.newState();
            long[] words = new long[m.trie().maskWords()];
            for (int step = 0; step < 40 && !s.isFinished(); step++) {
                s.fillAllowed(words);
                BitSet mask = BitSet.valueOf(words);
                if (step % 4 == 0) assertEquals(referenceMask(s), mask, "step " + step);
                int id = ConstraintTestSupport.pick(words, rnd);
                s.advance(id);
            }
        }
    }

    @Test
    void acceptablePrefixWalksACopyAndStopsAtTheFirstRefusedToken() {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie());
        ConstraintState s = m.newState();
        for (byte b : "{\"id\":".getBytes(StandardCharsets.UTF_8)) s.advance(ConstraintTestSupport.byteToken(b));
        BitSet before = s.allowedTokens();
        byte[] draft = "42,\"name\":x".getBytes(StandardCharsets.UTF_8);   // x: no JSON value starts so
        int[] tokens = new int[draft.length];
        for (int i = 0; i < draft.length; i++) tokens[i] = ConstraintTestSupport.byteToken(draft[i]);
        assertEquals(draft.length - 1, s.acceptablePrefix(tokens, tokens.length));
        assertEquals(3, s.acceptablePrefix(tokens, 3));
        assertEquals(before, s.allowedTokens(), "the state itself did not move");
        int[] tooBig = {ConstraintTestSupport.byteToken('1'), ConstraintTestSupport.byteToken('0'), ConstraintTestSupport.byteToken('0')};
        assertEquals(2, s.acceptablePrefix(tooBig, 3), "100 is above the maximum of 99");
    }

    @Test
    void eosIsForcedOnceTheJsonIsComplete() {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie());
        ConstraintState s = m.newState();
        assertFalse(s.canEnd());
        for (byte b : "{\"id\":7,\"name\":null}".getBytes(StandardCharsets.UTF_8)) {
            assertFalse(s.isComplete());
            s.advance(ConstraintTestSupport.byteToken(b));
        }
        assertTrue(s.canEnd());
        assertTrue(s.isComplete());
        BitSet only = new BitSet();
        only.set(2);
        assertEquals(only, s.allowedTokens());
        ConstraintState before = s.copy();
        s.advance(2);
        assertTrue(s.isFinished());
        assertTrue(s.allowedTokens().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> s.advance(2));
        assertTrue(before.canEnd() && !before.isFinished(), "copies are independent");
    }

    @Test
    void numberMayEndOrContinue() {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema("{\"type\":\"integer\"}"), TekkenTestVocabulary.trie());
        ConstraintState s = m.newState();
        s.advance(ConstraintTestSupport.byteToken('4'));
        assertTrue(s.canEnd());
        assertFalse(s.isComplete());
        assertTrue(s.isAllowed(ConstraintTestSupport.byteToken('2')));
        assertFalse(s.isAllowed(ConstraintTestSupport.byteToken(' ')));
    }

    @Test
    void rejectedTokenLeavesStateUnchanged() {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonObject(), TekkenTestVocabulary.trie());
        ConstraintState s = m.newState();
        assertFalse(s.tryAdvance(ConstraintTestSupport.byteToken('[')));
        assertFalse(s.tryAdvance(9)); // a special token
        assertTrue(s.tryAdvance(ConstraintTestSupport.byteToken('{')));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.advance(2));
        assertTrue(e.getMessage().contains("token 2"));
    }

    @Test
    void jsonObjectModeProducesObjects() throws Exception {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonObject(), TekkenTestVocabulary.trie());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        int finished = 0;
        for (int seed = 0; seed < 10; seed++) {
            ConstraintTestSupport.Walk w = ConstraintTestSupport.randomWalk(m, seed, 1500);
            if (w.truncated()) continue;
            finished++;
            assertTrue(mapper.readTree(w.text()).isObject(), w.text());
        }
        assertTrue(finished >= 5);
    }

    @Test
    void matcherIsSharedSafelyAcrossThreads() throws Exception {
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie());
        var validator = ConstraintTestSupport.validator(SCHEMA);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<ConstraintTestSupport.Walk>>();
            for (int seed = 0; seed < 8; seed++) {
                long sd = seed;
                futures.add(pool.submit(() -> ConstraintTestSupport.randomWalk(m, sd, 1500)));
            }
            for (var f : futures) {
                ConstraintTestSupport.Walk w = f.get();
                if (!w.truncated()) assertEquals(java.util.List.of(), ConstraintTestSupport.errors(validator, w.text()));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anOutgrownMatcherIsReplacedByOneThatGivesTheSameMasks() {
        GrammarMatcher small = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie(), 20);
        SplittableRandom rnd = new SplittableRandom(3);
        ConstraintState s = small.newState();
        long[] words = new long[small.trie().maskWords()];
        java.util.List<Integer> walk = new java.util.ArrayList<>();
        for (int step = 0; step < 40 && !s.isFinished(); step++) {
            s.fillAllowed(words);
            int id = ConstraintTestSupport.pick(words, rnd);
            walk.add(id);
            s.advance(id);
        }
        assertTrue(small.outgrown(), small.stateCount() + " states");
        // what a cache does then: a fresh matcher for the next request; it allows exactly the same tokens
        GrammarMatcher fresh = new GrammarMatcher(Grammar.jsonSchema(SCHEMA), TekkenTestVocabulary.trie(), 20);
        assertFalse(fresh.outgrown());
        ConstraintState a = small.newState(), b = fresh.newState();
        long[] wa = new long[words.length], wb = new long[words.length];
        for (int id : walk) {
            a.fillAllowed(wa);
            b.fillAllowed(wb);
            assertArrayEquals(wa, wb);
            a.advance(id);
            b.advance(id);
        }
    }
}
