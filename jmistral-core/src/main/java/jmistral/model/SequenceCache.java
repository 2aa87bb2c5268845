package jmistral.model;

/** One sequence's view of the {@link KvCache}: the KV of its first {@link #length()} tokens. */
public interface SequenceCache extends AutoCloseable {

    /** Tokens whose keys and values are cached (= the position of the next token). */
    int length();

    /**
     * A new sequence holding this one's first n tokens (prefix cache): full blocks are shared by
     * reference (copy on write), a partial last block is copied.
     */
    SequenceCache fork(int n);

    /** Forgets every token from position n on (n <= length()). */
    void truncate(int n);

    /** Frees this sequence's blocks (shared blocks when their last user lets go). Idempotent. */
    @Override
    void close();
}
