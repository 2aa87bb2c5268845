package jmistral.spark;

import java.util.BitSet;
import jmistral.generate.TokenConstraint;
import jmistral.generate.constraint.ConstraintState;

/** A JSON-schema grammar state as the scheduler's per-sequence {@link TokenConstraint}. */
final class SchemaConstraint implements TokenConstraint {
    private final ConstraintState state;

    SchemaConstraint(ConstraintState state) { this.state = state; }

    @Override public BitSet allowedTokens() { return state.allowedTokens(); }

    @Override public void advance(int token) { state.advance(token); }
}
