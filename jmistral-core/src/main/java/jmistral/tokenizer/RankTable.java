package jmistral.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The BPE vocabulary without special tokens: rank -> byte string, and byte string -> rank.
 * Ranks 0..255 are the single bytes 0x00..0xFF in order (checked at construction).
 *
 * <p>Lookup is the encoder's hot path, so it avoids pointer chasing: 2-byte strings index a direct
 * 64K table; strings of 3..15 bytes are packed with their length into two longs and found by open
 * addressing in one interleaved {@code long[]} (key0, key1, rank) without touching the byte data; longer
 * strings use a hash table of ranks compared against the concatenated bytes.
 */
final class RankTable {
    private static final int PACK_MAX = 15;

    private final byte[] bytes;       // all token byte strings, concatenated in rank order
    private final int[] offsets;      // [size + 1]: token r = bytes[offsets[r] .. offsets[r + 1])
    private final int[] pairs;        // [65536]: rank of the 2-byte string (b0 << 8 | b1), or -1
    private final long[] packed;      // [3 * cap]: key0, key1, rank (+1; 0 = empty slot)
    private final int packedMask;
    private final int[] longSlots;    // rank + 1 of tokens longer than PACK_MAX (0 = empty)
    private final int longMask;

    RankTable(List<byte[]> tokens) {
        int n = tokens.size();
        if (n < 256) throw new IllegalArgumentException("BPE vocabulary has " + n + " ranks; needs at least the 256 byte tokens");
        offsets = new int[n + 1];
        long total = 0;
        for (int r = 0; r < n; r++) {
            if (tokens.get(r).length == 0) throw new IllegalArgumentException("rank " + r + " has empty token bytes");
            total += tokens.get(r).length;
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
        pairs = new int[65536];
        Arrays.fill(pairs, -1);
        int cap = Integer.highestOneBit(Math.max(1024, n * 2)) << 1;
        packed = new long[3 * cap];
        packedMask = cap - 1;
        longSlots = new int[cap];
        longMask = cap - 1;
        for (int r = 256; r < n; r++) {
            int off = offsets[r], len = length(r);
            if (rankOf(bytes, off, len) >= 0)
                throw new IllegalArgumentException("duplicate token bytes at ranks " + rankOf(bytes, off, len) + " and " + r);
            if (len == 2) {
                pairs[((bytes[off] & 0xFF) << 8) | (bytes[off + 1] & 0xFF)] = r;
            } else if (len <= PACK_MAX) {
                long k0 = key0(bytes, off, len), k1 = key1(bytes, off, len);
                int s = mix(k0, k1) & packedMask;
                while (packed[3 * s + 2] != 0) s = (s + 1) & packedMask;
                packed[3 * s] = k0;
                packed[3 * s + 1] = k1;
                packed[3 * s + 2] = r + 1;
            } else {
                int s = hashBytes(bytes, off, len) & longMask;
                while (longSlots[s] != 0) s = (s + 1) & longMask;
                longSlots[s] = r + 1;
            }
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
        if (len == 2) return pairs[((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF)];
        if (len <= PACK_MAX) {
            long k0 = key0(buf, off, len), k1 = key1(buf, off, len);
            int s = mix(k0, k1) & packedMask;
            while (true) {
                long v = packed[3 * s + 2];
                if (v == 0) return -1;
                if (packed[3 * s] == k0 && packed[3 * s + 1] == k1) return (int) v - 1;
                s = (s + 1) & packedMask;
            }
        }
        int s = hashBytes(buf, off, len) & longMask;
        while (true) {
            int v = longSlots[s];
            if (v == 0) return -1;
            int start = offsets[v - 1];
            if (offsets[v] - start == len && Arrays.equals(bytes, start, start + len, buf, off, off + len)) return v - 1;
            s = (s + 1) & longMask;
        }
    }

    /** Bytes 0..7 little-endian. */
    private static long key0(byte[] b, int off, int len) {
        long k = 0;
        for (int i = Math.min(len, 8) - 1; i >= 0; i--) k = (k << 8) | (b[off + i] & 0xFF);
        return k;
    }

    /** Bytes 8..14 little-endian, length in the top byte. */
    private static long key1(byte[] b, int off, int len) {
        long k = 0;
        for (int i = len - 1; i >= 8; i--) k = (k << 8) | (b[off + i] & 0xFF);
        return k | ((long) len << 56);
    }

    private static int mix(long k0, long k1) {
        long h = k0 * 0x9E3779B97F4A7C15L ^ k1;
        h ^= h >>> 33; h *= 0xFF51AFD7ED558CCDL; h ^= h >>> 33; h *= 0xC4CEB9FE1A85EC53L; h ^= h >>> 33;
        return (int) h;
    }

    private static int hashBytes(byte[] buf, int off, int len) {
        int h = 0x811C9DC5;                       // FNV-1a, then a murmur3 finaliser to spread the bits
        for (int i = off; i < off + len; i++) h = (h ^ (buf[i] & 0xFF)) * 0x01000193;
        h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16;
        return h;
    }
}
