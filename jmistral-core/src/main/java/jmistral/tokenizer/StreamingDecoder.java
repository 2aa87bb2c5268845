package jmistral.tokenizer;

import java.util.Arrays;

/**
 * Turns generated token ids into text deltas one id at a time. Bytes of an unfinished UTF-8 character
 * are held back until a later token completes it; the concatenated deltas equal
 * {@link Tekken#decode(int[], SpecialTokenPolicy)} of all ids. Not thread-safe (one per sequence).
 */
public final class StreamingDecoder {
    private final Tekken tekken;
    private final SpecialTokenPolicy policy;
    private byte[] pending = new byte[16];
    private int len;

    StreamingDecoder(Tekken tekken, SpecialTokenPolicy policy) {
        this.tekken = tekken;
        this.policy = policy;
    }

    /** Feeds one id; returns the text that became complete ("" when none). */
    public String push(int id) {
        if (tekken.isSpecial(id)) {
            String flushed = flush();
            return switch (policy) {
                case IGNORE -> flushed;
                case KEEP -> flushed + tekken.specialName(id);
                case RAISE -> throw new IllegalArgumentException("special token " + tekken.specialName(id)
                        + " (id " + id + ") not allowed by policy RAISE");
            };
        }
        byte[] b = tekken.tokenBytes(id);
        if (len + b.length > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, len + b.length));
        System.arraycopy(b, 0, pending, len, b.length);
        len += b.length;
        int keep = Utf8.incompleteTail(pending, 0, len);
        if (keep == len) return "";
        String out = Utf8.decodeReplace(pending, 0, len - keep);
        System.arraycopy(pending, len - keep, pending, 0, keep);
        len = keep;
        return out;
    }

    /** Ends the stream: held-back bytes of an unfinished character come out as U+FFFD. */
    public String flush() {
        if (len == 0) return "";
        String out = Utf8.decodeReplace(pending, 0, len);
        len = 0;
        return out;
    }

    /** True when bytes of an unfinished character are held back. */
    public boolean hasPending() { return len > 0; }
}
