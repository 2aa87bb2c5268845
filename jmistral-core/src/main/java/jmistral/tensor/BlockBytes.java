package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar reads shared by every block format: all multi-byte fields in GGUF blocks are little-endian
 * and unaligned. Also the two packed-scale layouts that several K-quants share.
 */
final class BlockBytes {
    private BlockBytes() {}

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The fp16 value stored at byte offset {@code at} (block scales d, dmin, m). */
    static float half(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(SHORT_LE, at));
    }

    static void putHalf(MemorySegment s, long at, float v) {
        s.set(SHORT_LE, at, Float.floatToFloat16(v));
    }

    /** Unsigned byte at {@code at}. */
    static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** Signed byte at {@code at}. */
    static int i8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at);
    }

    static int u16(MemorySegment s, long at) {
        return s.get(SHORT_LE, at) & 0xFFFF;
    }

    static int u32(MemorySegment s, long at) {
        return s.get(INT_LE, at);
    }

    /** 8 bytes, little-endian: byte k is bits 8k .. 8k+7. */
    static long u64(MemorySegment s, long at) {
        return s.get(LONG_LE, at);
    }

    static void put8(MemorySegment s, long at, int v) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }

    /**
     * Q4_K / Q5_K: scale (low byte) and min (second byte) of sub-block j (0..7), 6 bits each, packed
     * in the 12 bytes at {@code scales} (llama.cpp get_scale_min_k4):
     * j < 4: sc = q[j] & 63, m = q[j+4] & 63;
     * j >= 4: sc = (q[j+4] & 15) | (q[j-4] >> 6) << 4, m = (q[j+4] >> 4) | (q[j] >> 6) << 4.
     */
    static int kScaleMin(MemorySegment s, long scales, int j) {
        int sc, m;
        if (j < 4) {
            sc = u8(s, scales + j) & 63;
            m = u8(s, scales + j + 4) & 63;
        } else {
            int hi = u8(s, scales + j + 4);
            sc = (hi & 15) | ((u8(s, scales + j - 4) >> 6) << 4);
            m = (hi >> 4) | ((u8(s, scales + j) >> 6) << 4);
        }
        return sc | (m << 8);
    }

    /** Packs 6-bit scale ls and min lm of sub-block j into the 12 scale bytes (inverse of kScaleMin). */
    static void putKScaleMin(MemorySegment s, long scales, int j, int ls, int lm) {
        if (j < 4) {
            put8(s, scales + j, (u8(s, scales + j) & 0xC0) | ls);
            put8(s, scales + j + 4, (u8(s, scales + j + 4) & 0xC0) | lm);
        } else {
            put8(s, scales + j + 4, (ls & 15) | ((lm & 15) << 4));
            put8(s, scales + j - 4, u8(s, scales + j - 4) | ((ls >> 4) << 6));
            put8(s, scales + j, u8(s, scales + j) | ((lm >> 4) << 6));
        }
    }

    /**
     * Q3_K: signed scale (already minus 32) of 16-weight group j (0..15) from the 12 packed bytes:
     * low 4 bits from byte j (j < 8) or the high nibble of byte j-8, high 2 bits from byte 8 + j%4 at
     * bit 2*(j/4).
     */
    static int q3kScale(MemorySegment s, long scales, int j) {
        int low = (u8(s, scales + (j & 7)) >> (4 * (j >> 3))) & 15; // branch-free: no trap-prone paths in kernels
        int high = (u8(s, scales + 8 + (j & 3)) >> (2 * (j >> 2))) & 3;
        return (low | (high << 4)) - 32;
    }
}
