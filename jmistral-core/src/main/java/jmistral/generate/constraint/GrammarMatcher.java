package jmistral.generate.constraint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A compiled {@link Grammar} bound to one vocabulary: runs the pushdown automaton (epsilon closure,
 * byte and special-token steps), interns parser states and stack frames, and memoizes token masks per
 * state. Thread-safe and meant to be shared by every sequence using the same grammar (cache it by schema).
 */
public final class GrammarMatcher {

    /** Deepest pushdown stack followed (recursive $ref / nested any-JSON); deeper paths are dropped. */
    static final int MAX_STACK_DEPTH = 512;

    private final Grammar grammar;
    private final Nfa nfa;
    private final VocabularyTrie trie;
    private final ConcurrentHashMap<Long, StackFrame> frames = new ConcurrentHashMap<>();
    private final AtomicInteger nextFrameId = new AtomicInteger(1);
    private final ConcurrentHashMap<ParserState, ParserState> states = new ConcurrentHashMap<>();
    private final ParserState dead;
    private final ParserState initial;

    public GrammarMatcher(Grammar grammar, VocabularyTrie trie) {
        this.grammar = grammar;
        this.nfa = grammar.nfa();
        this.trie = trie;
        this.dead = intern(new ParserState(new long[0], new StackFrame[0], false));
        this.initial = closure(new int[] {nfa.ruleStart[0]}, new StackFrame[] {null}, 1);
    }

    public Grammar grammar() {
        return grammar;
    }

    public VocabularyTrie trie() {
        return trie;
    }

    /** A fresh per-sequence state at the start of the grammar. */
    public ConstraintState newState() {
        return new ConstraintState(this, initial);
    }

    /** Number of distinct parser states seen so far (diagnostics, benchmarks). */
    public int stateCount() {
        return states.size();
    }

    ParserState dead() {
        return dead;
    }

    /** Successor after one byte (memoized). */
    ParserState step(ParserState s, int b) {
        ParserState n = s.next[b];
        if (n != null) return n;
        int[] seedNodes = new int[8];
        StackFrame[] seedFrames = new StackFrame[8];
        int count = 0;
        for (int i = 0; i < s.nodes.length; i++) {
            int node = s.nodes[i];
            for (int e = nfa.byteStart[node]; e < nfa.byteStart[node + 1]; e++) {
                if (b >= (nfa.byteLo[e] & 0xFF) && b <= (nfa.byteHi[e] & 0xFF)) {
                    if (count == seedNodes.length) {
                        seedNodes = Arrays.copyOf(seedNodes, count * 2);
                        seedFrames = Arrays.copyOf(seedFrames, count * 2);
                    }
                    seedNodes[count] = nfa.byteTarget[e];
                    seedFrames[count++] = s.frames[i];
                }
            }
        }
        n = count == 0 ? dead : closure(seedNodes, seedFrames, count);
        s.next[b] = n;
        return n;
    }

    /** Successor after a special token (memoized); dead if the token is not allowed. */
    ParserState stepToken(ParserState s, int tokenId) {
        ParserState n = s.tokenNext.get(tokenId);
        if (n != null) return n;
        List<Integer> seedNodes = new ArrayList<>();
        List<StackFrame> seedFrames = new ArrayList<>();
        for (int i = 0; i < s.nodes.length; i++) {
            int node = s.nodes[i];
            for (int e = nfa.tokStart[node]; e < nfa.tokStart[node + 1]; e++) {
                if (nfa.tokId[e] == tokenId) {
                    seedNodes.add(nfa.tokTarget[e]);
                    seedFrames.add(s.frames[i]);
                }
            }
        }
        n = seedNodes.isEmpty() ? dead
                : closure(seedNodes.stream().mapToInt(Integer::intValue).toArray(),
                        seedFrames.toArray(new StackFrame[0]), seedNodes.size());
        s.tokenNext.put(tokenId, n);
        return n;
    }

    /** The token mask of a state (memoized; callers must not modify the returned array). */
    long[] mask(ParserState s) {
        long[] m = s.mask;
        if (m == null) {
            m = TokenMaskComputer.compute(this, s, nfa, trie);
            s.mask = m;
        }
        return m;
    }

    /** Follows epsilon moves, calls (push) and rule ends (pop) from the seeds; interns the result. */
    private ParserState closure(int[] seedNodes, StackFrame[] seedFrames, int count) {
        HashSet<Long> visited = new HashSet<>();
        ArrayDeque<Object[]> work = new ArrayDeque<>();
        for (int i = 0; i < count; i++) work.push(new Object[] {seedNodes[i], seedFrames[i]});
        List<long[]> kernel = new ArrayList<>(); // {key}
        List<StackFrame> kernelFrames = new ArrayList<>();
        boolean accepting = false;
        while (!work.isEmpty()) {
            Object[] c = work.pop();
            int node = (Integer) c[0];
            StackFrame f = (StackFrame) c[1];
            long key = ((long) node << 32) | StackFrame.idOf(f);
            if (!visited.add(key)) continue;
            if (nfa.consumes(node)) {
                kernel.add(new long[] {key});
                kernelFrames.add(f);
            }
            for (int e = nfa.epsStart[node]; e < nfa.epsStart[node + 1]; e++) {
                work.push(new Object[] {nfa.epsTarget[e], f});
            }
            for (int e = nfa.callStart[node]; e < nfa.callStart[node + 1]; e++) {
                if (f != null && f.depth >= MAX_STACK_DEPTH) continue;
                work.push(new Object[] {nfa.ruleStart[nfa.callRule[e]], push(nfa.callReturn[e], f)});
            }
            if (nfa.isReturn[node]) {
                if (f == null) accepting = true;
                else work.push(new Object[] {f.returnNode, f.parent});
            }
        }
        Integer[] order = new Integer[kernel.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Long.compare(kernel.get(a)[0], kernel.get(b)[0]));
        long[] keys = new long[order.length];
        StackFrame[] fr = new StackFrame[order.length];
        for (int i = 0; i < order.length; i++) {
            keys[i] = kernel.get(order[i])[0];
            fr[i] = kernelFrames.get(order[i]);
        }
        return intern(new ParserState(keys, fr, accepting));
    }

    private ParserState intern(ParserState s) {
        ParserState prior = states.putIfAbsent(s, s);
        return prior != null ? prior : s;
    }

    private StackFrame push(int returnNode, StackFrame parent) {
        long key = ((long) returnNode << 32) | StackFrame.idOf(parent);
        StackFrame f = frames.get(key);
        if (f != null) return f;
        return frames.computeIfAbsent(key, k -> new StackFrame(returnNode, parent, nextFrameId.getAndIncrement()));
    }
}
