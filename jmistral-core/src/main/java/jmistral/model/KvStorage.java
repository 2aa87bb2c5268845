package jmistral.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jmistral.tensor.Float16;

/**
 * Off-heap storage of KV rows (one row = one kv head of one token, rowLen values) in one element
 * type. Rows are addressed by index; encoding/decoding a row is the only thing the types differ in.
 */
abstract sealed class KvStorage {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    final MemorySegment data;
    final int rowLen;
    final long rowBytes;

    private KvStorage(MemorySegment data, int rowLen, long rowBytes) {
        this.data = data;
        this.rowLen = rowLen;
        this.rowBytes = rowBytes;
    }

    /** Bytes one row of rowLen values takes in this type. */
    static long rowBytes(KvCacheType type, int rowLen) {
        return switch (type) {
            case F32 -> 4L * rowLen;
            case F16 -> 2L * rowLen;
            case Q8_0 -> (long) rowLen / Q8.BLOCK * Q8.BLOCK_BYTES;
        };
    }

    static KvStorage allocate(KvCacheType type, long rows, int rowLen, Arena arena) {
        MemorySegment seg = arena.allocate(rows * rowBytes(type, rowLen), 64);
        return switch (type) {
            case F32 -> new F32Rows(seg, rowLen);
            case F16 -> new F16Rows(seg, rowLen);
            case Q8_0 -> new Q8(seg, rowLen);
        };
    }

    /** Stores src[off .. off+rowLen) as row r. */
    abstract void write(long r, float[] src, int off);

    /** Decodes n consecutive rows from row r into dst[off .. off + n*rowLen). */
    abstract void read(long r, int n, float[] dst, int off);

    /** Copies n rows from row `from` to row `to` (copy-on-write of a shared block). */
    final void copyRows(long from, long to, int n) {
        MemorySegment.copy(data, from * rowBytes, data, to * rowBytes, n * rowBytes);
    }

    static final class F32Rows extends KvStorage {
        F32Rows(MemorySegment s, int rowLen) { super(s, rowLen, 4L * rowLen); }

        void write(long r, float[] src, int off) {
            MemorySegment.copy(src, off, data, F32, r * rowBytes, rowLen);
        }

        void read(long r, int n, float[] dst, int off) {
            MemorySegment.copy(data, F32, r * rowBytes, dst, off, n * rowLen);
        }
    }

    static final class F16Rows extends KvStorage {
        F16Rows(MemorySegment s, int rowLen) { super(s, rowLen, 2L * rowLen); }

        void write(long r, float[] src, int off) {
            long base = r * rowBytes;
            for (int i = 0; i < rowLen; i++) data.set(I16, base + 2L * i, Float.floatToFloat16(src[off + i]));
        }

        void read(long r, int n, float[] dst, int off) {
            Float16.toFloats(data, r * rowBytes, dst, off, n * rowLen); // vector widening: a third of attention's time was this loop
        }
    }

    /** ggml Q8_0 rows: per 32 values an f16 scale d = max|x|/127 and 32 int8 q, x = d*q. */
    static final class Q8 extends KvStorage {
        static final int BLOCK = 32, BLOCK_BYTES = 34;

        Q8(MemorySegment s, int rowLen) { super(s, rowLen, (long) rowLen / BLOCK * BLOCK_BYTES); }

        void write(long r, float[] src, int off) {
            long p = r * rowBytes;
            for (int b = 0; b < rowLen; b += BLOCK, p += BLOCK_BYTES) {
                float amax = 0;
                for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(src[off + b + i]));
                float d = amax / 127f;
                float id = d != 0 ? 1f / d : 0f;
                data.set(I16, p, Float.floatToFloat16(d));
                for (int i = 0; i < BLOCK; i++) data.set(ValueLayout.JAVA_BYTE, p + 2 + i, (byte) Math.round(src[off + b + i] * id));
            }
        }

        void read(long r, int n, float[] dst, int off) {
            long p = r * rowBytes;
            for (int v = 0, m = n * rowLen; v < m; v += BLOCK, p += BLOCK_BYTES) {
                float d = Float.float16ToFloat(data.get(I16, p));
                for (int i = 0; i < BLOCK; i++) dst[off + v + i] = d * data.get(ValueLayout.JAVA_BYTE, p + 2 + i);
            }
        }
    }
}
