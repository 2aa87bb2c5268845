package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Quantize -> dequantize error bounds, and byte-exact agreement with straightforward reimplementations. */
class QuantizerTest {

    static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * 0.02);
        return x;
    }

    static float[] dequantize(GgmlType t, byte[] q, int n) {
        float[] y = new float[n];
        Matrix.of(t, 1, n, MemorySegment.ofArray(q)).dequantizeRow(0, y, 0);
        return y;
    }

    /** RMS error relative to the RMS of gaussian data, with bounds a little above the format's typical error. */
    @ParameterizedTest
    @CsvSource({"Q8_0, 0.006", "Q6_K, 0.02", "Q5_0, 0.05", "Q5_1, 0.04", "Q5_K, 0.04", "Q4_0, 0.10", "Q4_1, 0.09", "Q4_K, 0.08",
                "F16, 0.001", "BF16, 0.003", "F32, 0"})
    void roundTripErrorIsSmall(GgmlType type, double bound) {
        int n = 4096;
        float[] x = gaussian(n, type.ordinal());
        byte[] q = Quantizer.quantize(type, x);
        assertEquals(type.bytesFor(n), q.length);
        float[] y = dequantize(type, q, n);
        double err = 0, ref = 0;
        for (int i = 0; i < n; i++) {
            err += (x[i] - y[i]) * (double) (x[i] - y[i]);
            ref += x[i] * (double) x[i];
        }
        double rel = Math.sqrt(err / ref);
        assertTrue(rel <= bound, type + " relative RMS error " + rel + " > " + bound);
    }

    @ParameterizedTest
    @CsvSource({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void zerosStayZeroAndStreamingMatchesWhole(GgmlType type) {
        float[] zeros = new float[512];
        for (float v : dequantize(type, Quantizer.quantize(type, zeros), 512)) assertEquals(0f, v, 0f);
        float[] x = gaussian(1024, 3);
        byte[] whole = Quantizer.quantize(type, x);
        byte[] rows = new byte[whole.length];
        MemorySegment dst = MemorySegment.ofArray(rows);
        long half = type.bytesFor(512);
        Quantizer.quantizeRow(type, x, 0, 512, dst, 0);
        Quantizer.quantizeRow(type, x, 512, 512, dst, half);
        assertArrayEquals(whole, rows);
    }

    /** Q8_0 written out plainly: d = amax/127 as fp16, q = round-half-away(x / d). */
    @Test
    void q8_0MatchesPlainReimplementation() {
        float[] x = gaussian(1024, 8);
        ByteBuffer expected = ByteBuffer.allocate(34 * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
            float d = amax / 127;
            expected.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                float v = x[32 * b + j] * (d != 0 ? 1 / d : 0);
                expected.put((byte) (v < 0 ? -Math.round(-v) : Math.round(v)));
            }
        }
        assertArrayEquals(expected.array(), Quantizer.quantize(GgmlType.Q8_0, x));
    }

    /** Q4_0 written out plainly: d = (signed max-magnitude value)/-8, q = min(15, trunc(x/d + 8.5)). */
    @Test
    void q4_0MatchesPlainReimplementation() {
        float[] x = gaussian(1024, 9);
        ByteBuffer expected = ByteBuffer.allocate(18 * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < 32; b++) {
            float max = 0;
            for (int j = 0; j < 32; j++) if (Math.abs(x[32 * b + j]) > Math.abs(max)) max = x[32 * b + j];
            float d = max / -8, id = d != 0 ? 1 / d : 0;
            expected.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (x[32 * b + j] * id + 8.5f));
                int hi = Math.min(15, (int) (x[32 * b + 16 + j] * id + 8.5f));
                expected.put((byte) (lo | hi << 4));
            }
        }
        assertArrayEquals(expected.array(), Quantizer.quantize(GgmlType.Q4_0, x));
    }

    /** Every Q4_K/Q6_K weight is within one quantization step of its source (scales as stored). */
    @Test
    void kQuantsStayWithinOneStep() {
        float[] x = gaussian(2048, 10);
        float[] y4 = dequantize(GgmlType.Q4_K, Quantizer.quantize(GgmlType.Q4_K, x), x.length);
        float[] y6 = dequantize(GgmlType.Q6_K, Quantizer.quantize(GgmlType.Q6_K, x), x.length);
        for (int b = 0; b < x.length / 256; b++) {
            float amax = 0;
            for (int i = 0; i < 256; i++) amax = Math.max(amax, Math.abs(x[256 * b + i]));
            for (int i = 0; i < 256; i++) {
                int k = 256 * b + i;
                assertTrue(Math.abs(x[k] - y4[k]) <= 2 * amax / 15, "Q4_K weight " + k);
                assertTrue(Math.abs(x[k] - y6[k]) <= amax / 31, "Q6_K weight " + k);
            }
        }
    }

    @Test
    void unsupportedAndBadLengthsGiveClearErrors() {
        assertThrows(UnsupportedOperationException.class, () -> Quantizer.quantize(GgmlType.IQ4_XS, new float[256]));
        var e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(GgmlType.Q4_K, new float[300]));
        assertTrue(e.getMessage().contains("block size"), e.getMessage());
        assertTrue(Quantizer.supports(GgmlType.Q6_K));
        assertTrue(!Quantizer.supports(GgmlType.IQ2_XXS));
    }
}
