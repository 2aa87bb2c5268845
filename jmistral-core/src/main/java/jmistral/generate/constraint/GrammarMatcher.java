package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * Default for {@link #outgrown()}: parser states memoized before a cache of matchers should start
     * over with a fresh one (about 1 KB of successor table per state, plus a 16 KB mask for those where
     * a token was sampled; the memo only grows, and states reachable from the initial one stay live).
     * {@code -Djmistral.grammar.maxStates=N}.
     */
    public static final int DEFAULT_MAX_STATES = Integer.getInteger("jmistral.grammar.maxStates", 10_000);

    private final Grammar grammar;
    private final Nfa nfa;
    private final VocabularyTrie trie;
    private final ConcurrentHashMap<Long, StackFrame> frames = new ConcurrentHashMap<>();
    private final AtomicInteger nextFrameId = new AtomicInteger(1);
    private final ConcurrentHashMap<ParserState, ParserState> states = new ConcurrentHashMap<>();
    private final ParserState dead;
    private final ParserState initial;

    private final int maxStates;

    public GrammarMatcher(Grammar grammar, VocabularyTrie trie) {
        this(grammar, trie, DEFAULT_MAX_STATES);
    }

    /** @param maxStates memoized states past which {@link #outgrown()} says to replace this matcher */
    public GrammarMatcher(Grammar grammar, VocabularyTrie trie, int maxStates) {
        this.maxStates = maxStates;
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

    /**
     * Whether the memo tables have grown past their budget: a cache that keeps matchers across requests
     * should then compile a fresh one for new requests (sequences already running keep this one, and
     * both give the same masks: the memo is only a cache).
     */
    public boolean outgrown() {
        return states.size() > maxStates;
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
        int[] workNode = new int[Math.max(16, count * 2)];
        StackFrame[] workFrame = new StackFrame[workNode.length];
        int top = 0;
        for (int i = 0; i < count; i++) {
            workNode[top] = seedNodes[i];
            workFrame[top++] = seedFrames[i];
        }
        LongSet visited = new LongSet();
        long[] keys = new long[8];
        StackFrame[] kernelFrames = new StackFrame[8];
        int n = 0;
        boolean accepting = false;
        while (top > 0) {
            int node = workNode[--top];
            StackFrame f = workFrame[top];
            long key = ((long) node << 32) | StackFrame.idOf(f);
            if (!visited.add(key)) continue;
            if (nfa.consumes(node)) {
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, n * 2);
                    kernelFrames = Arrays.copyOf(kernelFrames, n * 2);
                }
                keys[n] = key;
                kernelFrames[n++] = f;
            }
            int need = top + (nfa.epsStart[node + 1] - nfa.epsStart[node]) + (nfa.callStart[node + 1] - nfa.callStart[node]) + 1;
            if (need > workNode.length) {
                workNode = Arrays.copyOf(workNode, need * 2);
                workFrame = Arrays.copyOf(workFrame, need * 2);
            }
            for (int e = nfa.epsStart[node]; e < nfa.epsStart[node + 1]; e++) {
                workNode[top] = nfa.epsTarget[e];
                workFrame[top++] = f;
            }
            for (int e = nfa.callStart[node]; e < nfa.callStart[node + 1]; e++) {
                if (f != null && f.depth >= MAX_STACK_DEPTH) continue;
                workNode[top] = nfa.ruleStart[nfa.callRule[e]];
                workFrame[top++] = push(nfa.callReturn[e], f);
            }
            if (nfa.isReturn[node]) {
                if (f == null) {
                    accepting = true;
                } else {
                    workNode[top] = f.returnNode;
                    workFrame[top++] = f.parent;
                }
            }
        }
        // sort (key, frame) pairs by key: insertion sort, kernels are small
        for (int i = 1; i < n; i++) {
            long k = keys[i];
            StackFrame fr = kernelFrames[i];
            int j = i - 1;
            while (j >= 0 && keys[j] > k) {
                keys[j + 1] = keys[j];
                kernelFrames[j + 1] = kernelFrames[j];
                j--;
            }
            keys[j + 1] = k;
            kernelFrames[j + 1] = fr;
        }
        return intern(new ParserState(Arrays.copyOf(keys, n), Arrays.copyOf(kernelFrames, n), accepting));
    }

    /** Open-addressing set of longs (closure bookkeeping without boxing). */
    private static final class LongSet {
        private long[] table = new long[64];
        private boolean[] used = new boolean[64];
        private int size;

        boolean add(long v) {
            if (size * 2 >= table.length) grow();
            int mask = table.length - 1;
            int i = (int) (mix(v) & mask);
            while (used[i]) {
                if (table[i] == v) return false;
                i = (i + 1) & mask;
            }
            used[i] = true;
            table[i] = v;
            size++;
            return true;
        }

        private void grow() {
            long[] oldT = table;
            boolean[] oldU = used;
            table = new long[oldT.length * 2];
            used = new boolean[oldT.length * 2];
            size = 0;
            for (int i = 0; i < oldT.length; i++) if (oldU[i]) add(oldT[i]);
        }

        private static long mix(long v) {
            v *= 0x9E3779B97F4A7C15L;
            return v ^ (v >>> 29);
        }
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
