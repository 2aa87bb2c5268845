package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void walk() {
        VocabularyTrie trie = TekkenTestVocabulary.trie();
        Grammar g = Grammar.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":3,\"maximum\":120},\"b\":{\"type\":\"string\",\"maxLength\":5}},\"required\":[\"a\"]}");
        GrammarMatcher m = new GrammarMatcher(g, trie);
        for (int seed = 0; seed < 5; seed++) {
            Random r = new Random(seed);
            ConstraintState st = m.newState();
            StringBuilder sb = new StringBuilder();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            long t0 = System.nanoTime();
            int steps = 0;
            while (!st.isFinished()) {
                java.util.BitSet allowed = st.allowedTokens();
                int n = allowed.cardinality();
                assertTrue(n > 0);
                int k = r.nextInt(n);
                int id = allowed.nextSetBit(0);
                for (int i = 0; i < k; i++) id = allowed.nextSetBit(id + 1);
                st.advance(id);
                if (id != 2) out.writeBytes(TekkenTestVocabulary.get().bytes(id));
                steps++;
            }
            System.out.println(out.toString(StandardCharsets.UTF_8) + "  steps=" + steps + " ms=" + (System.nanoTime() - t0) / 1e6 + " states=" + m.stateCount());
        }
    }
}
