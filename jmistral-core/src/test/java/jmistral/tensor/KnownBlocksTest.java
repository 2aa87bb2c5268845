package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * One hand-built block per format whose values follow from the layout spec (model-arch.md section 6,
 * llama.cpp ggml-common.h / dequantize_row_*): checks the reference dequantization, the fast
 * dequantization (Matrix.dequantizeRow) and the vector dot product against those values.
 */
class KnownBlocksTest {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static MemorySegment block(GgmlType t) {
        return MemorySegment.ofArray(new byte[t.blockBytes * (t.isQuantized() ? 1 : 4)]);
    }

    static void half(MemorySegment s, long at, float v) {
        s.set(SHORT, at, Float.floatToFloat16(v));
    }

    static void fill(MemorySegment s, long at, int n, int value) {
        for (int i = 0; i < n; i++) s.set(ValueLayout.JAVA_BYTE, at + i, (byte) value);
    }

    /** Checks all three paths of one-block (or one-row) data against the expected values. */
    static void check(GgmlType t, MemorySegment s, float[] expected) {
        BlockType bt = BlockType.of(t);
        int n = expected.length;
        float[] ref = new float[n];
        for (int b = 0; b < n / bt.blockSize(); b++) bt.dequantizeBlock(s, (long) b * bt.blockBytes(), ref, b * bt.blockSize());
        for (int i = 0; i < n; i++) assertEquals(expected[i], ref[i], 1e-6f * Math.abs(expected[i]), t + " reference, weight " + i);
        float[] fast = new float[n];
        Matrix.of(t, 1, n, s).dequantizeRow(0, fast, 0);
        for (int i = 0; i < n; i++) assertEquals(expected[i], fast[i], 1e-6f * Math.abs(expected[i]), t + " fast, weight " + i);
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        double sum = 0, abs = 0;
        for (float v : expected) { sum += v; abs += Math.abs(v); }
        float[] out = new float[1];
        Matrix.of(t, 1, n, s).matvec(ones, out);
        assertEquals(sum, out[0], 1e-5 * abs, t + " dot with ones");
    }

    @Test
    void plainFloats() {
        MemorySegment f32 = MemorySegment.ofArray(new byte[16]);
        float[] v = {1.5f, -2f, 0f, 1e-3f};
        for (int i = 0; i < 4; i++) f32.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, v[i]);
        check(GgmlType.F32, f32, v);
        MemorySegment f16 = MemorySegment.ofArray(new byte[8]);
        short[] h = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001};
        for (int i = 0; i < 4; i++) f16.set(SHORT, 2L * i, h[i]);
        check(GgmlType.F16, f16, new float[] {1f, -2f, 65504f, 0x1p-24f});
        MemorySegment bf16 = MemorySegment.ofArray(new byte[8]);
        short[] b = {0x3F80, (short) 0xC040, 0x4120, 0x0000};
        for (int i = 0; i < 4; i++) bf16.set(SHORT, 2L * i, b[i]);
        check(GgmlType.BF16, bf16, new float[] {1f, -3f, 10f, 0f});
    }

    @Test
    void q8_0() { // y[j] = d * qs[j]
        MemorySegment s = block(GgmlType.Q8_0);
        half(s, 0, 0.5f);
        float[] y = new float[32];
        for (int j = 0; j < 32; j++) { fill(s, 2 + j, 1, j - 16); y[j] = 0.5f * (j - 16); }
        check(GgmlType.Q8_0, s, y);
    }

    @Test
    void q4_0AndIq4Nl() { // low nibble j -> weight j, high nibble -> weight j+16
        MemorySegment s = block(GgmlType.Q4_0);
        half(s, 0, 2f);
        float[] y = new float[32], k = new float[32];
        for (int j = 0; j < 16; j++) {
            fill(s, 2 + j, 1, j | ((15 - j) << 4));
            y[j] = 2f * (j - 8);
            y[j + 16] = 2f * ((15 - j) - 8);
            k[j] = 2f * IQ4_NLBlock.KVALUES[j];
            k[j + 16] = 2f * IQ4_NLBlock.KVALUES[15 - j];
        }
        check(GgmlType.Q4_0, s, y);
        check(GgmlType.IQ4_NL, s, k); // same layout, table values
        assertEquals(-127f * 2, k[0]);
    }

    @Test
    void q4_1() { // y = d*q + m
        MemorySegment s = block(GgmlType.Q4_1);
        half(s, 0, 0.5f);
        half(s, 2, -1f);
        float[] y = new float[32];
        for (int j = 0; j < 16; j++) {
            fill(s, 4 + j, 1, j | (3 << 4));
            y[j] = 0.5f * j - 1;
            y[j + 16] = 0.5f * 3 - 1;
        }
        check(GgmlType.Q4_1, s, y);
    }

    @Test
    void q5_0AndQ5_1() { // bit j of qh is bit 4 of weight j
        MemorySegment s = block(GgmlType.Q5_0);
        half(s, 0, 1f);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2, 0xAAAA_0F0F);
        float[] y = new float[32];
        for (int j = 0; j < 16; j++) fill(s, 6 + j, 1, j | ((15 - j) << 4));
        for (int j = 0; j < 32; j++) {
            int nibble = j < 16 ? j : 15 - (j - 16);
            int bit = (0xAAAA_0F0F >>> j) & 1;
            y[j] = (nibble | (bit << 4)) - 16;
        }
        check(GgmlType.Q5_0, s, y);

        MemorySegment s1 = block(GgmlType.Q5_1);
        half(s1, 0, 0.25f);
        half(s1, 2, 1f);
        s1.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4, 0x0000_FFFF);
        float[] y1 = new float[32];
        for (int j = 0; j < 16; j++) {
            fill(s1, 8 + j, 1, j | (j << 4));
            y1[j] = 0.25f * (j + 16) + 1;
            y1[j + 16] = 0.25f * j + 1;
        }
        check(GgmlType.Q5_1, s1, y1);
    }

    /** Writes Q4_K/Q5_K scales sc_j = 8j+5, m_j = 63-7j (6 bits each, exercising the high-bit packing). */
    static void kScales(MemorySegment s) {
        for (int j = 0; j < 8; j++) BlockBytes.putKScaleMin(s, 4, j, 8 * j + 5, 63 - 7 * j);
    }

    @Test
    void q4_K() { // sub-block j: nibble j%2 of qs[32*(j/2) ..]; y = d*sc*q - dmin*m
        MemorySegment s = block(GgmlType.Q4_K);
        half(s, 0, 1f);
        half(s, 2, 0.5f);
        kScales(s);
        fill(s, 16, 128, 0x21); // low nibble 1, high nibble 2
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int j = i / 32, q = j % 2 == 0 ? 1 : 2;
            y[i] = 1f * (8 * j + 5) * q - 0.5f * (63 - 7 * j);
        }
        check(GgmlType.Q4_K, s, y);
    }

    @Test
    void q5_K() { // as Q4_K plus bit j of qh[l] as bit 4
        MemorySegment s = block(GgmlType.Q5_K);
        half(s, 0, 1f);
        half(s, 2, 0.5f);
        kScales(s);
        fill(s, 16, 32, 0b0101_0101); // high bit set for even sub-blocks
        fill(s, 48, 128, 0x21);
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int j = i / 32, q = j % 2 == 0 ? 1 + 16 : 2;
            y[i] = 1f * (8 * j + 5) * q - 0.5f * (63 - 7 * j);
        }
        check(GgmlType.Q5_K, s, y);
    }

    @Test
    void q6_K() { // weight i: group i/16 (its int8 scale), quarter k = (i%128)/32 selects nibble and qh bits
        MemorySegment s = block(GgmlType.Q6_K);
        fill(s, 0, 128, 0x5A);          // ql: low nibble 10, high nibble 5
        fill(s, 128, 64, 0b11_10_01_00); // qh: bits 0-1 = 0, 2-3 = 1, 4-5 = 2, 6-7 = 3
        for (int g = 0; g < 16; g++) fill(s, 192 + g, 1, g - 8);
        half(s, 208, 0.5f);
        int[] q = {(10 | 0 << 4) - 32, (10 | 1 << 4) - 32, (5 | 2 << 4) - 32, (5 | 3 << 4) - 32};
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) y[i] = 0.5f * (i / 16 - 8) * q[(i % 128) / 32];
        check(GgmlType.Q6_K, s, y);
    }

    @Test
    void q2_K() { // group g: scale g&15 | min << 4, 2 bits at shift 2*((g%8)/2)
        MemorySegment s = block(GgmlType.Q2_K);
        for (int g = 0; g < 16; g++) fill(s, g, 1, g | ((15 - g) << 4));
        fill(s, 16, 64, 0b11_10_01_00);
        half(s, 80, 1f);
        half(s, 82, 0.25f);
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int g = i / 16, q = (g % 8) / 2;
            y[i] = 1f * g * q - 0.25f * (15 - g);
        }
        check(GgmlType.Q2_K, s, y);
    }

    @Test
    void q3_K() { // scale_g = 3g (6 bits, minus 32), q = 2 low bits - (hmask bit g/2 set ? 0 : 4)
        MemorySegment s = block(GgmlType.Q3_K);
        fill(s, 0, 32, 0x0F); // hmask bits 0..3 set: groups 0..7 have the high bit
        fill(s, 32, 64, 0b11_10_01_00);
        for (int g = 0; g < 16; g++) {
            int v = 3 * g;
            long lowAt = 96 + (g % 8);
            int low = BlockBytes.u8(s, lowAt) | ((v & 15) << (g < 8 ? 0 : 4));
            BlockBytes.put8(s, lowAt, low);
            long highAt = 96 + 8 + g % 4;
            BlockBytes.put8(s, highAt, BlockBytes.u8(s, highAt) | ((v >> 4) << (2 * (g / 4))));
        }
        half(s, 108, 0.5f);
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int g = i / 16, q = (g % 8) / 2;
            y[i] = 0.5f * (3 * g - 32) * (q - (g < 8 ? 0 : 4));
        }
        check(GgmlType.Q3_K, s, y);
    }

    @Test
    void iq4_XS() { // ls = 4 bits of scales_l[ib/2] (nibble ib%2) | 2 bits of scales_h at 2ib; y = d*(ls-32)*K[q]
        MemorySegment s = block(GgmlType.IQ4_XS);
        half(s, 0, 1f);
        int scalesH = 0;
        for (int ib = 0; ib < 8; ib++) {
            int ls = 8 * ib + 1;
            long at = 4 + ib / 2;
            BlockBytes.put8(s, at, BlockBytes.u8(s, at) | ((ls & 15) << (4 * (ib % 2))));
            scalesH |= (ls >> 4) << (2 * ib);
        }
        s.set(SHORT, 2, (short) scalesH);
        fill(s, 8, 128, 0x3C); // low nibble 12 -> 53, high nibble 3 -> -65
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int ib = i / 32;
            y[i] = (8 * ib + 1 - 32) * (i % 32 < 16 ? 53f : -65f);
        }
        check(GgmlType.IQ4_XS, s, y);
    }
}
