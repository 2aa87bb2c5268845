package jmistral.model;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;

/**
 * The KV cache as a pool of fixed-size blocks (paged attention). A block id addresses the same slot in
 * every layer: rows of layer l's key storage are laid out [block][kvHead][slot] with headDim values
 * each, so one kv head's part of a block is contiguous. Blocks are reference-counted: forks share full
 * blocks, and a sequence writing into a shared block copies it first. Memory is off-heap, allocated
 * once, freed on close.
 */
public final class PagedKvCache implements KvCache {
    public static final int DEFAULT_BLOCK_SIZE = 16;

    final int nLayers, nKvHeads, headDim, blockSize, totalBlocks;
    final KvCacheType type;
    final KvStorage[] keys, values; // [nLayers]
    private final Arena arena = Arena.ofShared();
    private final int[] refCount; // [totalBlocks]
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private boolean closed;

    /** Bytes a pool of this size needs. */
    public static long bytesNeeded(TextConfig c, int maxTokens, KvCacheType type, int blockSize) {
        long blocks = (maxTokens + blockSize - 1L) / blockSize;
        return 2L * c.nLayers() * blocks * blockSize * c.nKvHeads() * KvStorage.rowBytes(type, c.headDim());
    }

    /**
     * A pool for maxTokens tokens (all sequences together). Refuses with the number of bytes needed
     * when that exceeds budgetBytes.
     */
    public PagedKvCache(TextConfig c, int maxTokens, KvCacheType type, int blockSize, long budgetBytes) {
        if (maxTokens <= 0) throw new IllegalArgumentException("KV cache size must be > 0 tokens, got " + maxTokens);
        if (type == KvCacheType.Q8_0 && c.headDim() % KvStorage.Q8.BLOCK != 0) {
            throw new IllegalArgumentException("q8_0 KV cache needs head_dim divisible by 32, got " + c.headDim());
        }
        long need = bytesNeeded(c, maxTokens, type, blockSize);
        if (need > budgetBytes) {
            throw new IllegalArgumentException(String.format(
                    "KV cache for %d tokens (%s) needs %,d bytes (%.2f GiB) but only %,d bytes (%.2f GiB) are available; "
                            + "use a smaller context, a q8_0 cache, or more memory",
                    maxTokens, type, need, need / 1073741824.0, budgetBytes, budgetBytes / 1073741824.0));
        }
        this.nLayers = c.nLayers();
        this.nKvHeads = c.nKvHeads();
        this.headDim = c.headDim();
        this.blockSize = blockSize;
        this.type = type;
        this.totalBlocks = Math.toIntExact((maxTokens + blockSize - 1L) / blockSize);
        long rows = (long) totalBlocks * nKvHeads * blockSize;
        this.keys = new KvStorage[nLayers];
        this.values = new KvStorage[nLayers];
        for (int l = 0; l < nLayers; l++) {
            keys[l] = KvStorage.allocate(type, rows, headDim, arena);
            values[l] = KvStorage.allocate(type, rows, headDim, arena);
        }
        this.refCount = new int[totalBlocks];
        for (int b = 0; b < totalBlocks; b++) free.add(b);
    }

    /** True when sequences of this pool fit a model of this geometry. */
    boolean fits(TextConfig c) {
        return c.nLayers() == nLayers && c.nKvHeads() == nKvHeads && c.headDim() == headDim;
    }

    /** First row of (block, kvHead) in each layer's storage; the block's slots follow. */
    long row(int block, int kvHead) {
        return ((long) block * nKvHeads + kvHead) * blockSize;
    }

    @Override
    public SequenceCache newSequence() {
        checkOpen();
        return new PagedSequence(this);
    }

    @Override public int blockSize() { return blockSize; }
    @Override public int totalBlocks() { return totalBlocks; }
    @Override public synchronized int freeBlocks() { return free.size(); }
    @Override public long bytes() { return 2L * nLayers * totalBlocks * nKvHeads * blockSize * keys[0].rowBytes; }

    synchronized int allocate(int needed) {
        checkOpen();
        Integer b = free.poll();
        if (b == null) {
            throw new KvCacheFullException("KV cache is full: " + needed + " more block(s) of " + blockSize
                    + " tokens needed, " + totalBlocks + " blocks (" + (long) totalBlocks * blockSize
                    + " tokens) in the pool are all in use");
        }
        refCount[b] = 1;
        return b;
    }

    synchronized void retain(int block) { refCount[block]++; }

    synchronized boolean shared(int block) { return refCount[block] > 1; }

    synchronized void release(int block) {
        if (--refCount[block] == 0) free.add(block);
    }

    /** Copies every layer's K and V of block `from` into block `to`. */
    void copyBlock(int from, int to) {
        for (int l = 0; l < nLayers; l++) {
            keys[l].copyRows(row(from, 0), row(to, 0), nKvHeads * blockSize);
            values[l].copyRows(row(from, 0), row(to, 0), nKvHeads * blockSize);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("KV cache is closed");
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
