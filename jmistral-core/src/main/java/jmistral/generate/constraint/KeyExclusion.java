package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Keys of additional properties must differ from the declared property names (a clash would give the
 * value the wrong schema or a duplicate key). Built as a character trie of the names: at each trie node
 * the key may end (unless a name ends there), continue along the trie, or diverge with any other
 * character and then be free.
 */
final class KeyExclusion {

    private KeyExclusion() {}

    /** String body plus closing quote, for keys not in {@code names}. */
    static Expr bodyNotIn(Collection<String> names) {
        Node root = new Node();
        for (String n : names) {
            Node cur = root;
            for (int i = 0; i < n.length(); ) {
                int cp = n.codePointAt(i);
                i += Character.charCount(cp);
                cur = cur.children.computeIfAbsent(cp, c -> new Node());
            }
            cur.terminal = true;
        }
        return expr(root);
    }

    private static Expr expr(Node t) {
        Expr free = Expr.seq(Expr.star(JsonStringChars.any()), Expr.literal("\""));
        List<Expr> alts = new ArrayList<>();
        if (!t.terminal) alts.add(Expr.literal("\""));
        CodePointSet used = CodePointSet.EMPTY;
        for (int cp : t.children.keySet()) used = used.union(CodePointSet.of(cp));
        Expr diverge = JsonStringChars.oneOf(CodePointSet.ALL.minus(used));
        if (diverge != null) alts.add(Expr.seq(diverge, free));
        t.children.forEach((cp, child) -> alts.add(Expr.seq(JsonStringChars.oneOf(CodePointSet.of(cp)), expr(child))));
        return Expr.alt(alts);
    }

    private static final class Node {
        final TreeMap<Integer, Node> children = new TreeMap<>();
        boolean terminal;
    }
}
