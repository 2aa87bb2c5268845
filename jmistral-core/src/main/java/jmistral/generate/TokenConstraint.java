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

    /**
     * How many of tokens[0, n) the constraint would take one after the other from here, without
     * changing this constraint: speculative decoding cuts a draft there rather than spend a forward
     * position on a token that can never be accepted. A constraint that cannot tell cheaply keeps
     * the default (n): the sampler still masks every position, so a wrong draft is only rejected later.
     */
    default int acceptablePrefix(int[] tokens, int n) {
        return n;
    }
}
