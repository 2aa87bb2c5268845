package jmistral.generate.constraint;

import java.util.Arrays;
import java.util.List;

/**
 * Thompson construction of {@link Nfa} from {@link Expr} rules. Each expression instance gets fresh nodes;
 * loops always return to a fresh node so alternatives sharing a start node never leak into each other.
 */
final class NfaBuilder {

    /**
     * Total grammar size: keeps a schema whose counts are each within limits but multiply (maxItems of
     * objects with long strings inside) from eating the heap (about 40 bytes a node).
     */
    static final int MAX_NODES = Integer.getInteger("jmistral.grammar.maxNodes", 2_000_000);

    private int nodes;
    private final IntList byteFrom = new IntList(), byteLo = new IntList(), byteHi = new IntList(),
            byteTo = new IntList(), epsFrom = new IntList(), epsTo = new IntList(), callFrom = new IntList(),
            callRule = new IntList(), callRet = new IntList(), tokFrom = new IntList(), tokId = new IntList(),
            tokTo = new IntList(), returns = new IntList();

    static Nfa build(List<Expr> rules) {
        NfaBuilder b = new NfaBuilder();
        int[] starts = new int[rules.size()];
        for (int r = 0; r < rules.size(); r++) starts[r] = b.newNode();
        for (int r = 0; r < rules.size(); r++) {
            int end = b.build(rules.get(r), starts[r]);
            b.returns.add(end);
        }
        return b.freeze(starts);
    }

    private int newNode() {
        if (nodes >= MAX_NODES) {
            throw UnsupportedSchemaException.limit("(size)", "", "the grammar would need more than " + MAX_NODES
                    + " automaton nodes; reduce maxLength/maxItems/repetition counts or nesting");
        }
        return nodes++;
    }

    private void eps(int from, int to) {
        epsFrom.add(from);
        epsTo.add(to);
    }

    /** Adds the expression starting at {@code from}; returns its end node. */
    private int build(Expr e, int from) {
        switch (e) {
            case Expr.ByteRange r -> {
                int to = newNode();
                byteFrom.add(from);
                byteLo.add(r.lo());
                byteHi.add(r.hi());
                byteTo.add(to);
                return to;
            }
            case Expr.Seq s -> {
                int cur = from;
                for (Expr item : s.items()) cur = build(item, cur);
                return cur;
            }
            case Expr.Alt a -> {
                int to = newNode();
                for (Expr item : a.items()) eps(build(item, from), to);
                return to;
            }
            case Expr.Repeat r -> {
                int cur = from;
                for (int i = 0; i < r.min(); i++) cur = build(r.e(), cur);
                if (r.max() < 0) {
                    int loop = newNode();
                    eps(cur, loop);
                    eps(build(r.e(), loop), loop);
                    return loop;
                }
                int end = newNode();
                for (int i = r.min(); i < r.max(); i++) {
                    eps(cur, end);
                    int next = newNode();
                    eps(cur, next);
                    cur = build(r.e(), next);
                }
                eps(cur, end);
                return end;
            }
            case Expr.Call c -> {
                int to = newNode();
                callFrom.add(from);
                callRule.add(c.rule());
                callRet.add(to);
                return to;
            }
            case Expr.Token t -> {
                int to = newNode();
                tokFrom.add(from);
                tokId.add(t.id());
                tokTo.add(to);
                return to;
            }
            case Expr.Members m -> {
                return buildMembers(m, from);
            }
        }
    }

    /**
     * first[i]: nothing emitted yet, member i is next candidate; more[i]: something emitted (a separator
     * is due). Member i's expression is built once and entered from both.
     */
    private int buildMembers(Expr.Members m, int from) {
        int n = m.members().size();
        int[] first = new int[n + 1], more = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            first[i] = newNode();
            more[i] = newNode();
        }
        eps(from, first[0]);
        for (int i = 0; i < n; i++) {
            int start = newNode();
            eps(first[i], start);
            eps(build(m.sep(), more[i]), start);
            eps(build(m.members().get(i), start), more[i + 1]);
            if (!m.required()[i]) {
                eps(first[i], first[i + 1]);
                eps(more[i], more[i + 1]);
            }
        }
        int end = newNode();
        eps(first[n], end);
        eps(more[n], end);
        if (m.extra() != null) {
            eps(build(m.extra(), first[n]), more[n]);
            eps(build(Expr.seq(m.sep(), m.extra()), more[n]), more[n]);
        }
        return end;
    }

    private Nfa freeze(int[] ruleStarts) {
        boolean[] isReturn = new boolean[nodes];
        for (int i = 0; i < returns.size; i++) isReturn[returns.get(i)] = true;
        int[] byteStart = new int[nodes + 1], epsStart = new int[nodes + 1], callStart = new int[nodes + 1],
                tokStart = new int[nodes + 1];
        int[] bOrder = csr(byteFrom, byteStart), eOrder = csr(epsFrom, epsStart), cOrder = csr(callFrom, callStart),
                tOrder = csr(tokFrom, tokStart);
        byte[] lo = new byte[bOrder.length], hi = new byte[bOrder.length];
        int[] bt = new int[bOrder.length];
        for (int k = 0; k < bOrder.length; k++) {
            lo[k] = (byte) byteLo.get(bOrder[k]);
            hi[k] = (byte) byteHi.get(bOrder[k]);
            bt[k] = byteTo.get(bOrder[k]);
        }
        int[] et = new int[eOrder.length];
        for (int k = 0; k < eOrder.length; k++) et[k] = epsTo.get(eOrder[k]);
        int[] cr = new int[cOrder.length], cret = new int[cOrder.length];
        for (int k = 0; k < cOrder.length; k++) {
            cr[k] = callRule.get(cOrder[k]);
            cret[k] = callRet.get(cOrder[k]);
        }
        int[] ti = new int[tOrder.length], tt = new int[tOrder.length];
        for (int k = 0; k < tOrder.length; k++) {
            ti[k] = tokId.get(tOrder[k]);
            tt[k] = tokTo.get(tOrder[k]);
        }
        return new Nfa(nodes, ruleStarts, isReturn, byteStart, lo, hi, bt, epsStart, et, callStart, cr, cret,
                tokStart, ti, tt);
    }

    /** Counting sort of edges by source node: fills start[] and returns edge indices in node order. */
    private int[] csr(IntList from, int[] start) {
        for (int i = 0; i < from.size; i++) start[from.get(i) + 1]++;
        for (int n = 0; n < nodes; n++) start[n + 1] += start[n];
        int[] fill = Arrays.copyOf(start, nodes);
        int[] order = new int[from.size];
        for (int i = 0; i < from.size; i++) order[fill[from.get(i)]++] = i;
        return order;
    }

    /** Growable int array (avoids boxing millions of edge ends). */
    static final class IntList {
        int[] a = new int[64];
        int size;

        void add(int v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        int get(int i) {
            return a[i];
        }
    }
}
