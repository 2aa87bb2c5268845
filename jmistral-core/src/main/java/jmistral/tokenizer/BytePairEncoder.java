package jmistral.tokenizer;

import java.util.Arrays;

/**
 * Byte-level BPE as tiktoken does it: start from single bytes, repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank (ties: leftmost) until no adjacent pair is a token.
 *
 * <p>Parts form a linked list over byte positions. Short pieces (the common case) find the best pair by
 * a linear scan; long ones (e.g. a 100k-space run) keep pairs in a min-heap keyed by (rank, start) with
 * lazy deletion, so they cost O(n log n) instead of O(n^2). Both pick the same pair at every step.
 * One instance holds reusable scratch buffers: not thread-safe, use one per encode call.
 */
final class BytePairEncoder {
    private static final int NONE = Integer.MAX_VALUE;
    private static final int SCAN_LIMIT = 64;

    private final RankTable ranks;
    private int[] next = new int[64];       // part starting at byte p spans [p, next[p])
    private int[] prev = new int[64];       // previous part start, -1 for the first
    private int[] pairRank = new int[64];   // rank of part p joined with its successor, NONE if not a token
    private long[] heap = new long[64];
    private int heapSize;

    BytePairEncoder(RankTable ranks) { this.ranks = ranks; }

    /** Appends {@code rank + idOffset} for the BPE tokens of {@code buf[0..len)} to {@code out}. */
    void encode(byte[] buf, int len, IntList out, int idOffset) {
        encode(buf, len, out, idOffset, Integer.MAX_VALUE);
    }

    /** Same, using only ranks below {@code maxRank} (to recover merge rules); maxRank >= 256. */
    void encode(byte[] buf, int len, IntList out, int idOffset, int maxRank) {
        if (len == 0) return;
        int whole = ranks.rankOf(buf, 0, len);
        if (whole >= 0 && whole < maxRank) { out.add(whole + idOffset); return; }
        if (next.length < len) {
            int cap = Math.max(len, next.length * 2);
            next = new int[cap]; prev = new int[cap]; pairRank = new int[cap];
        }
        for (int p = 0; p < len; p++) { next[p] = p + 1; prev[p] = p - 1; }
        for (int p = 0; p + 1 < len; p++) pairRank[p] = rankBelow(buf, p, 2, maxRank);
        pairRank[len - 1] = NONE;
        if (len <= SCAN_LIMIT) mergeByScan(buf, len, maxRank); else mergeByHeap(buf, len, maxRank);
        for (int p = 0; p < len; p = next[p]) out.add(ranks.rankOf(buf, p, next[p] - p) + idOffset);
    }

    private void mergeByScan(byte[] buf, int len, int maxRank) {
        while (true) {
            int best = -1, bestRank = NONE;
            for (int p = 0; p < len; p = next[p]) {
                if (pairRank[p] < bestRank) { bestRank = pairRank[p]; best = p; }
            }
            if (best < 0) return;
            merge(buf, len, best, maxRank, false);
        }
    }

    private void mergeByHeap(byte[] buf, int len, int maxRank) {
        heapSize = 0;
        for (int p = 0; p + 1 < len; p++) if (pairRank[p] != NONE) push(key(pairRank[p], p));
        while (heapSize > 0) {
            long k = pop();
            int rank = (int) (k >>> 32), p = (int) k;
            if (pairRank[p] != rank) continue;             // stale: the pair changed since it was pushed
            merge(buf, len, p, maxRank, true);
        }
    }

    /** Merges part p with its successor and updates the two affected pair ranks. */
    private void merge(byte[] buf, int len, int p, int maxRank, boolean useHeap) {
        int q = next[p];
        int after = next[q];
        next[p] = after;
        if (after < len) prev[after] = p;
        pairRank[q] = NONE;                                // q is dead
        pairRank[p] = after < len ? rankBelow(buf, p, next[after] - p, maxRank) : NONE;
        if (useHeap && pairRank[p] != NONE) push(key(pairRank[p], p));
        int l = prev[p];
        if (l >= 0) {
            pairRank[l] = rankBelow(buf, l, after - l, maxRank);
            if (useHeap && pairRank[l] != NONE) push(key(pairRank[l], l));
        }
    }

    private int rankBelow(byte[] buf, int off, int len, int maxRank) {
        int r = ranks.rankOf(buf, off, len);
        return r < 0 || r >= maxRank ? NONE : r;
    }

    private static long key(int rank, int pos) { return ((long) rank << 32) | pos; }

    private void push(long v) {
        if (heapSize == heap.length) heap = Arrays.copyOf(heap, heapSize * 2);
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    private long pop() {
        long top = heap[0];
        long v = heap[--heapSize];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= heapSize) break;
            if (c + 1 < heapSize && heap[c + 1] < heap[c]) c++;
            if (heap[c] >= v) break;
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = v;
        return top;
    }
}
