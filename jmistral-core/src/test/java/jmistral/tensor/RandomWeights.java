package jmistral.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random weight data for tests: random bytes, with the fp16 scale fields set to sane finite values. */
public final class RandomWeights {
    private RandomWeights() {}

    /** Byte offsets of the fp16 fields (scales, mins) inside one block of each quantized type. */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** {@code rows} rows of {@code cols} weights of {@code type}, in a native segment (a fresh confined arena's). */
    public static MemorySegment matrix(GgmlType type, int rows, int cols, Random rnd) {
        long bytes = type.bytesFor((long) rows * cols);
        MemorySegment s = Arena.ofAuto().allocate(bytes, 64);
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        long n = (long) rows * cols;
        switch (type) {
            case F32 -> { for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(le), i, rnd.nextFloat() * 2 - 1); }
            case F16 -> { for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i, Float.floatToFloat16(randomScaleLike(rnd) * 40)); }
            case BF16 -> { for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i, BFloat16.fromFloat(rnd.nextFloat() * 2 - 1)); }
            default -> {
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, s, 0, bytes);
                for (long b = 0; b < bytes / type.blockBytes; b++) {
                    for (int f : halfFields(type)) {
                        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), b * type.blockBytes + f, Float.floatToFloat16(randomScaleLike(rnd)));
                    }
                }
            }
        }
        return s;
    }

    /** A value in +-[0.0005, 0.05], sometimes tiny (fp16 subnormal) or zero. */
    static float randomScaleLike(Random rnd) {
        int kind = rnd.nextInt(50);
        if (kind == 0) return 0f;
        if (kind == 1) return (rnd.nextBoolean() ? 1 : -1) * rnd.nextFloat() * 6e-5f; // fp16 subnormal range
        return (rnd.nextBoolean() ? 1 : -1) * (0.0005f + rnd.nextFloat() * 0.05f);
    }

    public static float[] vector(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
