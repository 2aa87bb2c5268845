package jmistral.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The BPE vocabulary without special tokens: rank -> byte string, and a byte-slice -> rank hash table
 * (open addressing over one concatenated byte array, so lookups allocate nothing).
 * Ranks 0..255 are the single bytes 0x00..0xFF in order (checked at construction).
 */
final class RankTable {
    private final byte[] bytes;     // all token byte strings, concatenated in rank order
    private final int[] offsets;    // [size + 1]: token r = bytes[offsets[r] .. offsets[r + 1])
    private final int[] slots;      // hash table of rank + 1 (0 = empty), power-of-two length
    private final int mask;

    RankTable(List<byte[]> tokens) {
        int n = tokens.size();
        if (n < 256) throw new IllegalArgumentException("BPE vocabulary has " + n + " ranks; needs at least the 256 byte tokens");
        offsets = new int[n + 1];
        long total = 0;
        for (int r = 0; r < n; r++) {
            total += tokens.get(r).length;
            if (tokens.get(r).length == 0) throw new IllegalArgumentException("rank " + r + " has empty token bytes");
        }
        bytes = new byte[Math.toIntExact(total)];
        int pos = 0;
        for (int r = 0; r < n; r++) {
            byte[] t = tokens.get(r);
            offsets[r] = pos;
            System.arraycopy(t, 0, bytes, pos, t.length);
            pos += t.length;
        }
        offsets[n] = pos;
        for (int b = 0; b < 256; b++) {
            if (length(b) != 1 || (bytes[offsets[b]] & 0xFF) != b)
                throw new IllegalArgumentException("rank " + b + " must be the single byte 0x" + Integer.toHexString(b));
        }
        int cap = Integer.highestOneBit(Math.max(1024, n * 2)) << 1;
        slots = new int[cap];
        mask = cap - 1;
        for (int r = 0; r < n; r++) {
            int s = hash(bytes, offsets[r], length(r)) & mask;
            while (slots[s] != 0) {
                if (equals(slots[s] - 1, bytes, offsets[r], length(r)))
                    throw new IllegalArgumentException("duplicate token bytes at ranks " + (slots[s] - 1) + " and " + r);
                s = (s + 1) & mask;
            }
            slots[s] = r + 1;
        }
    }

    int size() { return offsets.length - 1; }

    int length(int rank) { return offsets[rank + 1] - offsets[rank]; }

    byte[] tokenBytes(int rank) { return Arrays.copyOfRange(bytes, offsets[rank], offsets[rank + 1]); }

    /** Appends the bytes of {@code rank} to {@code out} at {@code pos}; returns the new position. */
    int copyTo(int rank, byte[] out, int pos) {
        int len = length(rank);
        System.arraycopy(bytes, offsets[rank], out, pos, len);
        return pos + len;
    }

    /** Rank of the byte string {@code buf[off .. off+len)}, or -1 when it is not a token. */
    int rankOf(byte[] buf, int off, int len) {
        if (len == 1) return buf[off] & 0xFF;
        int s = hash(buf, off, len) & mask;
        while (true) {
            int v = slots[s];
            if (v == 0) return -1;
            if (equals(v - 1, buf, off, len)) return v - 1;
            s = (s + 1) & mask;
        }
    }

    private boolean equals(int rank, byte[] buf, int off, int len) {
        int start = offsets[rank];
        return offsets[rank + 1] - start == len && Arrays.equals(bytes, start, start + len, buf, off, off + len);
    }

    private static int hash(byte[] buf, int off, int len) {
        int h = 0x811C9DC5;                       // FNV-1a, then a murmur3 finaliser to spread the bits
        for (int i = off; i < off + len; i++) h = (h ^ (buf[i] & 0xFF)) * 0x01000193;
        h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16;
        return h;
    }
}
