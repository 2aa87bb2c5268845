package jmistral.generate.constraint;

/**
 * Computes which token ids a parser state allows: walks the flattened vocabulary trie in pre-order,
 * stepping the automaton one byte per trie edge (memoized on the states, so loops such as "any string
 * character" cost an array read), and skips the whole subtree below any prefix the grammar rejects.
 * Special tokens come from the state's token edges; EOS is allowed exactly when the root rule can end.
 */
final class TokenMaskComputer {

    private TokenMaskComputer() {}

    static long[] compute(GrammarMatcher m, ParserState s, Nfa nfa, VocabularyTrie trie) {
        long[] mask = new long[trie.maskWords()];
        if (s.isDead()) return mask;
        ParserState[] atDepth = new ParserState[trie.maxDepth + 1]; // state after the node's prefix
        atDepth[0] = s;
        int n = trie.nodeCount;
        byte[] label = trie.label;
        short[] depth = trie.depth;
        int[] token = trie.token;
        int[] subtreeEnd = trie.subtreeEnd;
        if (s.nodes.length > 0) {
            int k = 0;
            while (k < n) {
                int d = depth[k];
                ParserState parent = atDepth[d - 1];
                int b = label[k] & 0xFF;
                ParserState next = parent.next[b];
                if (next == null) next = m.step(parent, b);
                if (next.nodes.length == 0 && !next.accepting) {
                    k = subtreeEnd[k];
                    continue;
                }
                atDepth[d] = next;
                int id = token[k];
                if (id >= 0) {
                    for (int t = id; t >= 0; t = trie.sameBytes[t]) mask[t >>> 6] |= 1L << t;
                }
                k++;
            }
        }
        for (int i = 0; i < s.nodes.length; i++) {
            int node = s.nodes[i];
            for (int e = nfa.tokStart[node]; e < nfa.tokStart[node + 1]; e++) {
                int id = nfa.tokId[e];
                if (!m.stepToken(s, id).isDead()) mask[id >>> 6] |= 1L << id;
            }
        }
        if (s.accepting) mask[trie.eosId() >>> 6] |= 1L << trie.eosId();
        return mask;
    }
}
