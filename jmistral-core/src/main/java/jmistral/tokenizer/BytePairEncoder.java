package jmistral.tokenizer;

/**
 * Byte-level BPE as tiktoken does it: start from single bytes, repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank (ties: leftmost) until no adjacent pair is a token.
 *
 * <p>Pairs live in a min-heap keyed by (rank, start) with lazy deletion, so a piece of n bytes costs
 * O(n log n) (a 100k-space run stays cheap); parts form a linked list over byte positions.
 */
final class BytePairEncoder {
    private static final int NONE = Integer.MAX_VALUE;

    private BytePairEncoder() {}

    /** Appends the ranks of {@code buf[0..len)} to {@code out}. */
    static void encode(RankTable ranks, byte[] buf, int len, IntList out) {
        encode(ranks, buf, len, out, Integer.MAX_VALUE);
    }

    /** Same, using only ranks below {@code maxRank} (to recover merge rules); maxRank >= 256. */
    static void encode(RankTable ranks, byte[] buf, int len, IntList out, int maxRank) {
        if (len == 0) return;
        int whole = ranks.rankOf(buf, 0, len);
        if (whole >= 0 && whole < maxRank) { out.add(whole); return; }

        // Part starting at byte p spans [p, next[p]); pairRank[p] = rank of part p joined with its successor.
        int[] next = new int[len];
        int[] prev = new int[len];
        int[] pairRank = new int[len];
        LongHeap heap = new LongHeap(len);
        for (int p = 0; p < len; p++) { next[p] = p + 1; prev[p] = p - 1; }
        for (int p = 0; p + 1 < len; p++) {
            pairRank[p] = rankBelow(ranks, buf, p, 2, maxRank);
            if (pairRank[p] != NONE) heap.push(key(pairRank[p], p));
        }
        pairRank[len - 1] = NONE;

        while (!heap.isEmpty()) {
            long k = heap.pop();
            int rank = (int) (k >>> 32), p = (int) k;
            if (pairRank[p] != rank) continue;                 // stale: the pair changed since it was pushed
            int q = next[p];                                   // merge part q into part p
            int after = next[q];
            next[p] = after;
            if (after < len) prev[after] = p;
            pairRank[q] = NONE;
            prev[q] = -2;                                      // q is dead
            pairRank[p] = pairRankOf(ranks, buf, len, p, next, maxRank);
            if (pairRank[p] != NONE) heap.push(key(pairRank[p], p));
            int l = prev[p];
            if (l >= 0) {
                pairRank[l] = pairRankOf(ranks, buf, len, l, next, maxRank);
                if (pairRank[l] != NONE) heap.push(key(pairRank[l], l));
            }
        }
        for (int p = 0; p < len; p = next[p]) out.add(ranks.rankOf(buf, p, next[p] - p));
    }

    private static int pairRankOf(RankTable ranks, byte[] buf, int len, int p, int[] next, int maxRank) {
        int q = next[p];
        return q >= len ? NONE : rankBelow(ranks, buf, p, next[q] - p, maxRank);
    }

    private static int rankBelow(RankTable ranks, byte[] buf, int off, int len, int maxRank) {
        int r = ranks.rankOf(buf, off, len);
        return r < 0 || r >= maxRank ? NONE : r;
    }

    private static long key(int rank, int pos) { return ((long) rank << 32) | pos; }

    /** Minimal binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int capacity) { a = new long[Math.max(4, capacity)]; }

        boolean isEmpty() { return n == 0; }

        void push(long v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            int i = n++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) break;
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && a[c + 1] < a[c]) c++;
                if (a[c] >= v) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
