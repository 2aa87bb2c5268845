package jmistral.model;

/**
 * A pool of fixed-size KV blocks shared by all sequences (paged attention). Each sequence owns a
 * block table; a finished sequence frees its blocks at once; a cached prefix is shared by reference.
 */
public interface KvCache extends AutoCloseable {

    /** A new, empty sequence in this pool. */
    SequenceCache newSequence();

    /** Tokens per block. */
    int blockSize();

    /** Blocks in the pool. */
    int totalBlocks();

    /** Blocks not used by any sequence. */
    int freeBlocks();

    /** Bytes the pool occupies. */
    long bytes();

    @Override
    void close();
}
