package jmistral.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes the GGUF header (metadata and tensor infos) little-endian into a growing buffer.
 * The inverse of {@link GgufCursor} + {@link GgufValueReader}.
 */
final class GgufEncoder {
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer room(int n) {
        if (buf.remaining() < n) {
            long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
            if (want > Integer.MAX_VALUE - 8) throw new IllegalStateException("GGUF header larger than 2 GB");
            ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buf.flip());
            buf = bigger;
        }
        return buf;
    }

    long size() { return buf.position(); }

    /** The encoded bytes, ready to write. */
    ByteBuffer bytes() { return buf.duplicate().flip(); }

    void u8(int v) { room(1).put((byte) v); }
    void u16(int v) { room(2).putShort((short) v); }
    void u32(int v) { room(4).putInt(v); }
    void u64(long v) { room(8).putLong(v); }
    void f32(float v) { room(4).putFloat(v); }
    void f64(double v) { room(8).putDouble(v); }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        room(b.length).put(b);
    }

    /** key, uint32 type, value. */
    void keyValue(String key, GgufValue v) {
        string(key);
        u32(v.type().id);
        if (v.type() == GgufValueType.ARRAY) array(v.elementType(), v.value());
        else scalar(v.type(), v.value());
    }

    private void scalar(GgufValueType t, Object v) {
        switch (t) {
            case UINT8, INT8 -> u8(((Number) v).intValue());
            case UINT16, INT16 -> u16(((Number) v).intValue());
            case UINT32, INT32 -> u32(((Number) v).intValue());
            case UINT64, INT64 -> u64(((Number) v).longValue());
            case FLOAT32 -> f32(((Number) v).floatValue());
            case FLOAT64 -> f64(((Number) v).doubleValue());
            case BOOL -> u8((Boolean) v ? 1 : 0);
            case STRING -> string((String) v);
            case ARRAY -> throw new IllegalArgumentException("array given as a scalar");
        }
    }

    /** uint32 element type, uint64 count, elements. {@code values} has the Java type {@link GgufWriter} checked. */
    void array(GgufValueType t, Object values) {
        u32(t.id);
        switch (values) {
            case int[] a -> { u64(a.length); for (int x : a) scalar(t, x); }
            case long[] a -> { u64(a.length); for (long x : a) scalar(t, x); }
            case float[] a -> { u64(a.length); for (float x : a) f32(x); }
            case double[] a -> { u64(a.length); for (double x : a) f64(x); }
            case boolean[] a -> { u64(a.length); for (boolean x : a) u8(x ? 1 : 0); }
            case List<?> list -> {
                u64(list.size());
                for (Object x : list) {
                    if (t == GgufValueType.STRING) string((String) x);
                    else if (x instanceof GgufValue inner) array(inner.elementType(), inner.value());
                    else array(GgufWriter.inferElementType(x), x);
                }
            }
            default -> throw new IllegalArgumentException("not an array value: " + values.getClass());
        }
    }
}
