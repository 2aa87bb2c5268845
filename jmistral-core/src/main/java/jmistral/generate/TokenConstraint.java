package jmistral.generate;

import java.util.BitSet;

/**
 * A per-step restriction of the next token (JSON schema, tool-call grammar): the sampler asks for the
 * allowed set before each step and reports the token it picked. Disallowed tokens get probability 0.
 * One instance per sequence; called only from the scheduler thread.
 */
public interface TokenConstraint {

    /** Tokens allowed next, or null when any token is allowed at this step. */
    BitSet allowedTokens();

    /** The token chosen at this step (always one of the allowed ones). */
    void advance(int token);
}
