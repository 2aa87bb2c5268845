package jmistral.generate.constraint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A grammar expression over bytes (plus special-token ids and calls of other rules). The schema compiler,
 * the regex subset and the tool-call grammar all produce these; {@link NfaBuilder} turns them into an NFA.
 */
sealed interface Expr {

    /** One byte in [lo, hi] (inclusive, 0..255). */
    record ByteRange(int lo, int hi) implements Expr {}

    record Seq(List<Expr> items) implements Expr {}

    record Alt(List<Expr> items) implements Expr {}

    /** {@code e{min,max}}; max = -1 means unbounded. */
    record Repeat(Expr e, int min, int max) implements Expr {}

    /** A call of rule {@code rule} (pushdown: the only way to express recursion). */
    record Call(int rule) implements Expr {}

    /** A special token id consumed as one unit (e.g. [TOOL_CALLS]); never matched by bytes. */
    record Token(int id) implements Expr {}

    /**
     * JSON object members in schema order: each member i may be skipped unless required; members are
     * separated by {@code sep}; after them any number of {@code extra} members (null: none). Built with
     * shared NFA nodes so n optional members cost O(n), not O(n^2).
     */
    record Members(List<Expr> members, boolean[] required, Expr sep, Expr extra) implements Expr {}

    Expr EMPTY = new Seq(List.of());

    static Expr literal(String s) {
        return literal(s.getBytes(StandardCharsets.UTF_8));
    }

    static Expr literal(byte[] bytes) {
        List<Expr> items = new ArrayList<>(bytes.length);
        for (byte b : bytes) items.add(new ByteRange(b & 0xFF, b & 0xFF));
        return items.size() == 1 ? items.get(0) : new Seq(items);
    }

    static Expr seq(Expr... items) {
        return new Seq(Arrays.asList(items));
    }

    static Expr alt(List<Expr> items) {
        return items.size() == 1 ? items.get(0) : new Alt(List.copyOf(items));
    }

    static Expr alt(Expr... items) {
        return alt(Arrays.asList(items));
    }

    static Expr opt(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr star(Expr e) {
        return new Repeat(e, 0, -1);
    }

    static Expr plus(Expr e) {
        return new Repeat(e, 1, -1);
    }
}
