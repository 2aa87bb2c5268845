package jmistral.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.model.KvCache;
import jmistral.model.SequenceCache;

/**
 * A paged KV cache for tests: blocks are only counted (with reference counts for shared prefixes);
 * what a sequence "caches" is its token history (one long per position: the token id, or a hash of the
 * embedding row that replaced it), which the toy model turns into logits. Checks the contract: no
 * write into a shared block, no use after close, no allocation beyond the pool.
 */
final class FakeKvCache implements KvCache {

    private final int blockSize;
    private final int[] refs;                       // [totalBlocks] users of each block
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int liveSequences;

    FakeKvCache(int totalBlocks, int blockSize) {
        this.blockSize = blockSize;
        this.refs = new int[totalBlocks];
        for (int i = 0; i < totalBlocks; i++) free.add(i);
    }

    @Override public synchronized SequenceCache newSequence() { liveSequences++; return new Seq(); }
    @Override public int blockSize() { return blockSize; }
    @Override public int totalBlocks() { return refs.length; }
    @Override public synchronized int freeBlocks() { return free.size(); }
    @Override public long bytes() { return (long) refs.length * blockSize; }
    @Override public void close() { }

    synchronized int liveSequences() { return liveSequences; }

    private synchronized int allocate() {
        Integer b = free.poll();
        if (b == null) throw new IllegalStateException("fake KV cache: out of blocks");
        refs[b] = 1;
        return b;
    }

    private synchronized void release(int b) {
        if (--refs[b] == 0) free.add(b);
    }

    private synchronized void share(int b) { refs[b]++; }

    private synchronized int refsOf(int b) { return refs[b]; }

    final class Seq implements SequenceCache {
        final List<Integer> blocks = new ArrayList<>();
        long[] history = new long[16];
        int length;
        boolean closed;

        long[] history() { return Arrays.copyOf(history, length); }

        void append(long key) {
            if (closed) throw new IllegalStateException("fake KV cache: append after close");
            if (length % blockSize == 0) blocks.add(allocate());
            else if (refsOf(blocks.getLast()) > 1) throw new IllegalStateException("fake KV cache: write into a shared block");
            if (length == history.length) history = Arrays.copyOf(history, length * 2);
            history[length++] = key;
        }

        @Override public int length() { return length; }

        @Override public SequenceCache fork(int n) {
            if (closed || n > length) throw new IllegalStateException("fake KV cache: bad fork " + n + " of " + length);
            Seq s = (Seq) newSequence();
            int full = n / blockSize;
            for (int i = 0; i < full; i++) { share(blocks.get(i)); s.blocks.add(blocks.get(i)); }
            if (n % blockSize != 0) s.blocks.add(allocate());        // partial last block is copied
            s.history = Arrays.copyOf(history, Math.max(16, n));
            s.length = n;
            return s;
        }

        @Override public void truncate(int n) {
            if (n > length) throw new IllegalArgumentException();
            int keep = (n + blockSize - 1) / blockSize;
            while (blocks.size() > keep) release(blocks.removeLast());
            length = n;
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            for (int b : blocks) release(b);
            blocks.clear();
            synchronized (FakeKvCache.this) { liveSequences--; }
        }
    }
}
