package jmistral.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/** Byte-level corruptions of a valid file, each a fresh copy: truncation, flipped bytes, overwritten fields. */
final class Mutations {
    /** Values a corrupt count, length, size or offset field tends to hold. */
    static final long[] ABSURD = {0, 1, -1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, 1L << 40, 1L << 62,
            Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000, 100_000_000};

    private final Random random;

    Mutations(Random random) {
        this.random = random;
    }

    /** The first {@code length} bytes. */
    static byte[] truncate(byte[] data, int length) {
        return Arrays.copyOf(data, length);
    }

    /** A copy with {@code n} random bytes in [from, to) replaced by random values. */
    byte[] flip(byte[] data, int from, int to, int n) {
        byte[] out = data.clone();
        for (int i = 0; i < n; i++) out[from + random.nextInt(to - from)] = (byte) random.nextInt(256);
        return out;
    }

    /** A copy with a {@code width}-byte integer (4 or 8) written at {@code at}. */
    static byte[] put(byte[] data, int at, int width, long value, ByteOrder order) {
        byte[] out = data.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(order);
        if (width == 8) b.putLong(at, value);
        else b.putInt(at, (int) value);
        return out;
    }

    /** One of {@link #ABSURD}, or the current value scaled or shifted by one. */
    long absurd(long current) {
        return switch (random.nextInt(4)) {
            case 0 -> current + 1;
            case 1 -> current - 1;
            case 2 -> current * (1L << 20);
            default -> ABSURD[random.nextInt(ABSURD.length)];
        };
    }

    int nextInt(int bound) { return random.nextInt(bound); }
}
