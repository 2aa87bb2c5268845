package jmistral.generate.constraint;

/**
 * A recursive transition network over bytes: one NFA per rule, nodes shared in one numbering. A node's
 * edges are byte ranges, epsilon moves, calls (enter rule r, come back to node ret) and special-token
 * edges. A rule's end node is flagged "return"; the root rule is rule 0. Immutable; built by {@link NfaBuilder}.
 * Every array is indexed by node (CSR: edges of node n are [xStart[n], xStart[n+1])).
 */
final class Nfa {

    final int nodeCount;
    final int[] ruleStart;      // [rules] start node of each rule
    final boolean[] isReturn;   // [nodes] node is the end of its rule

    final int[] byteStart;      // [nodes + 1]
    final byte[] byteLo, byteHi; // [byte edges] unsigned ranges
    final int[] byteTarget;     // [byte edges]

    final int[] epsStart;       // [nodes + 1]
    final int[] epsTarget;      // [eps edges]

    final int[] callStart;      // [nodes + 1]
    final int[] callRule, callReturn; // [call edges]

    final int[] tokStart;       // [nodes + 1]
    final int[] tokId, tokTarget; // [token edges]

    Nfa(int nodeCount, int[] ruleStart, boolean[] isReturn, int[] byteStart, byte[] byteLo, byte[] byteHi,
            int[] byteTarget, int[] epsStart, int[] epsTarget, int[] callStart, int[] callRule, int[] callReturn,
            int[] tokStart, int[] tokId, int[] tokTarget) {
        this.nodeCount = nodeCount;
        this.ruleStart = ruleStart;
        this.isReturn = isReturn;
        this.byteStart = byteStart;
        this.byteLo = byteLo;
        this.byteHi = byteHi;
        this.byteTarget = byteTarget;
        this.epsStart = epsStart;
        this.epsTarget = epsTarget;
        this.callStart = callStart;
        this.callRule = callRule;
        this.callReturn = callReturn;
        this.tokStart = tokStart;
        this.tokId = tokId;
        this.tokTarget = tokTarget;
    }

    /** Does the node consume input itself (bytes or special tokens)? Such nodes make up parser states. */
    boolean consumes(int node) {
        return byteStart[node + 1] > byteStart[node] || tokStart[node + 1] > tokStart[node];
    }
}
