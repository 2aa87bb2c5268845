package jmistral.gguf;

import jmistral.ModelFileException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A little-endian read position on a mapped file. Every read checks the bytes it needs against
 * what is left BEFORE touching memory or allocating, so a hostile length or count becomes a
 * {@link ModelFileException} naming the file and the offset, never an OutOfMemoryError.
 */
final class GgufCursor {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment segment;
    private long pos;

    GgufCursor(Path file, MemorySegment segment) {
        this.file = file;
        this.segment = segment;
    }

    long position() { return pos; }

    long remaining() { return segment.byteSize() - pos; }

    /** An error at the current position. */
    ModelFileException error(String what) {
        return new ModelFileException(file, pos, what);
    }

    ModelFileException error(long offset, String what) {
        return new ModelFileException(file, offset, what);
    }

    /** Fails unless {@code n} more bytes are there (n may be any non-negative long). */
    void require(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw error("truncated or corrupt: " + what + " needs " + Long.toUnsignedString(n)
                    + " bytes but only " + remaining() + " remain in the file");
        }
    }

    /** Fails unless {@code count} items of at least {@code minBytes} each can fit in what is left. */
    void requireCount(long count, long minBytes, String what) {
        if (count < 0 || (minBytes > 0 && count > remaining() / minBytes)) {
            throw error("truncated file or absurd " + what + " " + Long.toUnsignedString(count) + ": only "
                    + remaining() + " bytes remain, each item needs at least " + minBytes);
        }
    }

    int u8(String what) {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    int u16(String what) {
        require(2, what);
        int v = segment.get(U16, pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    int i32(String what) {
        require(4, what);
        int v = segment.get(U32, pos);
        pos += 4;
        return v;
    }

    long i64(String what) {
        require(8, what);
        long v = segment.get(U64, pos);
        pos += 8;
        return v;
    }

    float f32(String what) {
        require(4, what);
        float v = segment.get(F32, pos);
        pos += 4;
        return v;
    }

    double f64(String what) {
        require(8, what);
        double v = segment.get(F64, pos);
        pos += 8;
        return v;
    }

    /** A GGUF string: uint64 byte length, then that many UTF-8 bytes (no terminator). */
    String string(String what) {
        return string(what, Integer.MAX_VALUE - 16);
    }

    /** A GGUF string of at most {@code maxBytes} bytes (names: a corrupt length must not make a megabyte name). */
    String string(String what, long maxBytes) {
        long start = pos;
        long len = i64(what + " length");
        if (len >= 0 && len > maxBytes && len <= remaining()) {
            throw error(start, what + ": length " + len + " is above the limit of " + maxBytes + " bytes");
        }
        if (len < 0 || len > remaining()) {
            throw error(start, what + ": string length " + Long.toUnsignedString(len) + " exceeds the "
                    + remaining() + " bytes left in the file");
        }
        if (len > Integer.MAX_VALUE - 16) {
            throw error(start, what + ": string length " + len + " is too long for a metadata string");
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    void seek(long offset) {
        if (offset < 0 || offset > segment.byteSize()) {
            throw error("offset " + offset + " is outside the file (" + segment.byteSize() + " bytes)");
        }
        pos = offset;
    }
}
