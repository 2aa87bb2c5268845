package jmistral.model;

import java.util.IdentityHashMap;
import java.util.List;

/**
 * A forward step's tokens laid out one after the other: entry e owns batch rows
 * start[e] .. start[e] + count[e] - 1, at sequence positions pos0[e] + i.
 */
final class ForwardBatch {
    final List<BatchEntry> entries;
    final PagedSequence[] seqs; // [entries]
    final int[] start, count, pos0; // [entries]
    final int[] tokens, positions; // [T]
    final int total; // T

    ForwardBatch(List<BatchEntry> entries, TextConfig c) {
        if (entries == null || entries.isEmpty()) throw new IllegalArgumentException("empty batch");
        int n = entries.size();
        this.entries = entries;
        seqs = new PagedSequence[n];
        start = new int[n];
        count = new int[n];
        pos0 = new int[n];
        IdentityHashMap<Object, Integer> seen = new IdentityHashMap<>();
        int t = 0;
        for (int e = 0; e < n; e++) {
            BatchEntry b = entries.get(e);
            if (!(b.cache() instanceof PagedSequence s) || !s.pool.fits(c)) {
                throw new IllegalArgumentException("batch entry " + e + ": cache was not created by this model's createCache");
            }
            if (seen.put(s, e) != null) throw new IllegalArgumentException("batch entry " + e + ": sequence appears twice in the batch (entry " + seen.get(s) + ")");
            if (b.tokens() == null || b.tokens().length == 0) throw new IllegalArgumentException("batch entry " + e + ": no tokens");
            for (int id : b.tokens()) {
                if (id < 0 || id >= c.vocabSize()) throw new IllegalArgumentException("batch entry " + e + ": token id " + id + " outside the vocabulary [0, " + c.vocabSize() + ")");
            }
            if (b.embeddings() != null) {
                if (b.embeddings().length != b.tokens().length) throw new IllegalArgumentException("batch entry " + e + ": " + b.embeddings().length + " embedding rows for " + b.tokens().length + " tokens");
                for (float[] row : b.embeddings()) {
                    if (row != null && row.length != c.dim()) throw new IllegalArgumentException("batch entry " + e + ": embedding row of " + row.length + " values, the model's hidden size is " + c.dim());
                }
            }
            seqs[e] = s;
            start[e] = t;
            count[e] = b.tokens().length;
            pos0[e] = s.length();
            t = Math.addExact(t, count[e]);
        }
        total = t;
        tokens = new int[t];
        positions = new int[t];
        for (int e = 0; e < n; e++) {
            System.arraycopy(entries.get(e).tokens(), 0, tokens, start[e], count[e]);
            for (int i = 0; i < count[e]; i++) positions[start[e] + i] = pos0[e] + i;
        }
    }
}
