package jmistral.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Per-row sampling seeds that do not depend on timing: seed = mix(base seed, SHA-256 of the row's
 * input, the row's index in its partition). A retried task sees the same rows in the same order, so
 * it draws the same seeds and (with the same batches, see {@link BatchRunner}) gives the same answers.
 * The index keeps two identical prompts of one partition from getting the same seed.
 */
public final class RowSeeds {
    private RowSeeds() {}

    /** Accumulates the row's input bytes. */
    public static final class Key {
        private final MessageDigest sha = sha256();

        public Key add(String s) {
            if (s == null) { sha.update((byte) 0); return this; }
            sha.update((byte) 1);
            return addBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        public Key addBytes(byte[] b) {
            if (b == null) { sha.update((byte) 0); return this; }
            for (int i = 0; i < 4; i++) sha.update((byte) (b.length >>> (8 * i)));   // length prefix: no ambiguity
            sha.update(b);
            return this;
        }

        /** The first 8 digest bytes as a long. */
        public long hash() {
            byte[] d = sha.digest();
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xFF);
            return h;
        }
    }

    public static long seed(long baseSeed, long rowHash, long indexInPartition) {
        return mix64(mix64(baseSeed) ^ rowHash ^ mix64(indexInPartition + 0x632BE59BD9B4E019L));
    }

    /** splitmix64 finalizer. */
    static long mix64(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
