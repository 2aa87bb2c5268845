package jmistral.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.model.SequenceCache;

/**
 * KV caches of recently finished sequences, kept so a new request that starts with the same tokens (a
 * shared system prompt, the earlier turns of a conversation) forks them instead of recomputing.
 * Least recently used entries go first when the entry limit or the KV pool needs it.
 *
 * <p>A plain list scanned for the longest common prefix: with tens of entries this costs microseconds
 * next to a forward step. Used only from the scheduler thread.
 */
final class PrefixCache {

    /**
     * A cached sequence: its KV holds (at least) the positions keyed by {@code keys}: token ids, and
     * content hashes where an embedding row replaced the token ({@link SequenceRequest#prefixKeys}).
     */
    static final class Entry {
        final long[] keys;
        final SequenceCache cache;
        long lastUse;

        Entry(long[] keys, SequenceCache cache, long lastUse) {
            this.keys = keys;
            this.cache = cache;
            this.lastUse = lastUse;
        }
    }

    /** The best entry for a prompt and how many of its tokens match. */
    record Match(Entry entry, int length) {
    }

    private final int maxEntries;
    private final List<Entry> entries = new ArrayList<>();
    private long clock;

    PrefixCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    int size() { return entries.size(); }

    /** The entry sharing the longest prefix with keys[0 .. limit), or null when none shares any. */
    Match lookup(long[] keys, int limit) {
        Entry best = null;
        int bestLen = 0;
        for (Entry e : entries) {
            int n = Math.min(limit, e.keys.length);
            int len = Arrays.mismatch(e.keys, 0, n, keys, 0, n);
            if (len < 0) len = n;
            if (len > bestLen) { best = e; bestLen = len; }
        }
        if (best == null) return null;
        best.lastUse = ++clock;
        return new Match(best, bestLen);
    }

    /**
     * Keeps a finished sequence's cache (ownership passes here). An entry that is a prefix of the new
     * one is dropped (the new one serves everything it did); if the new one is a prefix of an entry,
     * the new one is dropped instead.
     */
    void put(long[] keys, SequenceCache cache) {
        if (maxEntries == 0 || keys.length == 0) { cache.close(); return; }
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            int n = Math.min(e.keys.length, keys.length);
            if (Arrays.mismatch(e.keys, 0, n, keys, 0, n) >= 0) continue;       // differ somewhere
            if (e.keys.length >= keys.length) {                                 // new one adds nothing
                e.lastUse = ++clock;
                cache.close();
                return;
            }
            entries.remove(i).cache.close();
        }
        entries.add(new Entry(keys, cache, ++clock));
        while (entries.size() > maxEntries) evictOldest(null);
    }

    /** Closes the least recently used entry other than pinned; false when there is none. */
    boolean evictOldest(Entry pinned) {
        Entry oldest = null;
        for (Entry e : entries) if (e != pinned && (oldest == null || e.lastUse < oldest.lastUse)) oldest = e;
        if (oldest == null) return false;
        entries.remove(oldest);
        oldest.cache.close();
        return true;
    }

    void clear() {
        for (Entry e : entries) e.cache.close();
        entries.clear();
    }
}
