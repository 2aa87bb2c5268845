package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Float16 and BFloat16 conversions, exhaustively over all 65536 bit patterns. */
class HalfFloatTest {

    /** IEEE binary16 decoded from its definition (independent of the implementation). */
    static double half(int h) {
        int sign = (h >> 15) & 1, exp = (h >> 10) & 31, mant = h & 1023;
        double v;
        if (exp == 0) v = mant * Math.pow(2, -24);
        else if (exp == 31) v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else v = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        return sign == 1 ? -v : v;
    }

    @Test
    void float16DecodesEveryHalfExactly() {
        for (int h = 0; h < 65536; h++) {
            float f = Float16.toFloat((short) h);
            double expected = half(h);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f), "NaN " + Integer.toHexString(h));
                assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(f))), "NaN stays NaN");
            } else {
                assertEquals(expected, f, 0.0, "half " + Integer.toHexString(h));
                assertEquals((short) h, Float16.fromFloat(f), "round trip " + Integer.toHexString(h));
            }
        }
    }

    /** The KV cache's vector row read, over every bit pattern, from offsets that leave a scalar tail. */
    @Test
    void toFloatsDecodesEveryHalfExactly() {
        java.lang.foreign.MemorySegment all = java.lang.foreign.MemorySegment.ofArray(new short[65536 + 8]);
        for (int h = 0; h < 65536; h++) all.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, h + 1, (short) h);
        float[] out = new float[65536 + 3];
        Float16.toFloats(all, 2, out, 3, 65536);        // odd byte offset of the segment start: unaligned vector loads
        for (int h = 0; h < 65536; h++) {
            double expected = half(h);
            if (Double.isNaN(expected)) assertTrue(Float.isNaN(out[3 + h]), "NaN " + Integer.toHexString(h));
            else assertEquals(expected, out[3 + h], 0.0, "half " + Integer.toHexString(h));
        }
        float[] tail = new float[7];
        Float16.toFloats(all, 2 + 2 * 0x3C00, tail, 0, 7);   // fewer than a vector: 1.0 and the halfs after it
        for (int i = 0; i < 7; i++) assertEquals(half(0x3C00 + i), tail[i], 0.0);
    }

    @Test
    void float16RoundsToNearestEven() {
        for (int h = 0; h < 0x7BFF; h++) { // pairs of adjacent positive finite halves
            float lo = Float16.toFloat((short) h), hi = Float16.toFloat((short) (h + 1));
            float mid = (float) (((double) lo + hi) / 2); // exact: at most 12 significant bits
            short even = (short) ((h & 1) == 0 ? h : h + 1);
            assertEquals(even, Float16.fromFloat(mid), "tie between " + Integer.toHexString(h) + " and next");
            assertEquals((short) (even | 0x8000), Float16.fromFloat(-mid), "negative tie");
            assertEquals((short) h, Float16.fromFloat(Math.nextDown(mid)), "just below the tie rounds down");
            assertEquals((short) (h + 1), Float16.fromFloat(Math.nextUp(mid)), "just above the tie rounds up");
        }
        assertEquals((short) 0x7C00, Float16.fromFloat(65520f)); // halfway between 65504 and 65536: to infinity (even)
        assertEquals((short) 0x7BFF, Float16.fromFloat(Math.nextDown(65520f)));
        assertEquals((short) 0x7C00, Float16.fromFloat(1e6f));
        assertEquals((short) 0xFC00, Float16.fromFloat(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x0000, Float16.fromFloat(1e-9f)); // below half the smallest subnormal
        assertEquals((short) 0x8000, Float16.fromFloat(-0f));
    }

    @Test
    void bfloat16DecodesAndRoundTripsEveryValue() {
        for (int b = 0; b < 65536; b++) {
            float f = BFloat16.toFloat((short) b);
            assertEquals(Float.intBitsToFloat(b << 16), f, 0.0f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(f))));
            } else {
                assertEquals((short) b, BFloat16.fromFloat(f), "round trip " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        for (int b = 0; b < 0x7F80; b++) { // positive finite values below infinity
            int tie = (b << 16) | 0x8000;
            short even = (short) ((b & 1) == 0 ? b : b + 1);
            assertEquals(even, BFloat16.fromFloat(Float.intBitsToFloat(tie)), "tie above " + Integer.toHexString(b));
            assertEquals((short) b, BFloat16.fromFloat(Float.intBitsToFloat(tie - 1)));
            assertEquals((short) (b + 1), BFloat16.fromFloat(Float.intBitsToFloat(tie + 1)));
        }
        Random rnd = new Random(5);
        for (int i = 0; i < 100_000; i++) { // against "nearest of the two candidates" in double
            float f = Float.intBitsToFloat(rnd.nextInt() & 0x7F7FFFFF);
            short r = BFloat16.fromFloat(f);
            float down = Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xFFFF0000);
            float up = Float.intBitsToFloat((Float.floatToRawIntBits(f) & 0xFFFF0000) + 0x10000);
            double err = Math.abs((double) BFloat16.toFloat(r) - f);
            assertTrue(err <= Math.min(Math.abs((double) down - f), Math.abs((double) up - f)), "nearest for " + f);
        }
        assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7F800001))))); // NaN with low payload only
    }
}
