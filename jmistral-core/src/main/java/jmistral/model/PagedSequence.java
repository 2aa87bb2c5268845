package jmistral.model;

import java.util.Arrays;

/** One sequence in a {@link PagedKvCache}: its block table and length. */
final class PagedSequence implements SequenceCache {
    final PagedKvCache pool;
    private int[] blocks = new int[4]; // block table: position p lives in blocks[p / blockSize]
    private int nBlocks;
    private int length;
    private boolean closed;

    PagedSequence(PagedKvCache pool) {
        this.pool = pool;
    }

    @Override
    public int length() { return length; }

    /** Block holding position p. */
    int block(int p) { return blocks[p / pool.blockSize]; }

    /**
     * Makes positions length .. newLength-1 writable: allocates blocks and copies any shared block
     * about to be written (copy on write). Nothing else changes, so a failure leaves the sequence usable.
     */
    void reserve(int newLength) {
        checkOpen();
        int bs = pool.blockSize;
        int needBlocks = (newLength + bs - 1) / bs;
        int firstWritten = length / bs;
        if (firstWritten < nBlocks && length < newLength && pool.shared(blocks[firstWritten])) {
            int copy = pool.allocate(1);
            pool.copyBlock(blocks[firstWritten], copy);
            pool.release(blocks[firstWritten]);
            blocks[firstWritten] = copy;
        }
        while (nBlocks < needBlocks) {
            int b = pool.allocate(needBlocks - nBlocks);
            if (nBlocks == blocks.length) blocks = Arrays.copyOf(blocks, 2 * nBlocks);
            blocks[nBlocks++] = b;
        }
    }

    /** Records that n more tokens have their K and V written. */
    void advance(int n) { length += n; }

    @Override
    public SequenceCache fork(int n) {
        checkOpen();
        if (n < 0 || n > length) throw new IllegalArgumentException("fork(" + n + ") of a sequence of length " + length);
        PagedSequence s = new PagedSequence(pool);
        int bs = pool.blockSize;
        int full = n / bs;
        s.blocks = new int[Math.max(4, full + 1)];
        for (int i = 0; i < full; i++) {
            pool.retain(blocks[i]);
            s.blocks[s.nBlocks++] = blocks[i];
        }
        if (n % bs != 0) {
            try {
                int copy = pool.allocate(1);
                pool.copyBlock(blocks[full], copy);
                s.blocks[s.nBlocks++] = copy;
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        }
        s.length = n;
        return s;
    }

    @Override
    public void truncate(int n) {
        checkOpen();
        if (n < 0 || n > length) throw new IllegalArgumentException("truncate(" + n + ") of a sequence of length " + length);
        int keep = (n + pool.blockSize - 1) / pool.blockSize;
        while (nBlocks > keep) pool.release(blocks[--nBlocks]);
        length = n;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        while (nBlocks > 0) pool.release(blocks[--nBlocks]);
        length = 0;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("sequence cache is closed");
    }
}
