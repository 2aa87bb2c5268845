package jmistral.generate.constraint;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable, interned set of parser configurations (NFA node + pushdown stack) after the epsilon
 * closure, keeping only nodes that consume input. Successors per byte and the token mask are memoized on
 * the state, so repeated states (the inside of a string, the same nesting level) cost one array read.
 * Racy memo writes are benign: every value written is the canonical interned object with final fields.
 */
final class ParserState {

    final int[] nodes;           // [configs] NFA node of each configuration
    final StackFrame[] frames;   // [configs] its stack (null = empty)
    final boolean accepting;     // the root rule can end here (EOS allowed)
    final long[] key;            // [configs] node << 32 | frame id, sorted: identity for interning
    private final int hash;

    final ParserState[] next = new ParserState[256];             // memo: successor per byte
    final ConcurrentHashMap<Integer, ParserState> tokenNext = new ConcurrentHashMap<>(); // memo: special tokens
    volatile long[] mask;                                        // memo: allowed tokens (shared, read-only)

    ParserState(long[] key, StackFrame[] framesByKeyOrder, boolean accepting) {
        this.key = key;
        this.accepting = accepting;
        this.nodes = new int[key.length];
        for (int i = 0; i < key.length; i++) nodes[i] = (int) (key[i] >>> 32);
        this.frames = framesByKeyOrder;
        this.hash = Arrays.hashCode(key) * 31 + (accepting ? 1 : 0);
    }

    boolean isDead() {
        return nodes.length == 0 && !accepting;
    }

    /** Nothing but the end of the answer is possible. */
    boolean onlyEnd() {
        return nodes.length == 0 && accepting;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParserState s && s.accepting == accepting && Arrays.equals(s.key, key);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
