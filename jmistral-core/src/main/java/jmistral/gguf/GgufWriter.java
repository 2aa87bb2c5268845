package jmistral.gguf;

import jmistral.tensor.GgmlType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata in insertion order, then tensor infos, then each tensor's data at
 * the next multiple of the alignment (general.alignment if set, else 32), zero padded. Tensor data is
 * streamed from {@link TensorWriter}s at {@link #write(Path)} time, so nothing large is held in memory.
 */
public final class GgufWriter {
    private record PendingTensor(String name, GgmlType type, long[] shape, long byteSize, TensorWriter data) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();

    // ---- scalars ----------------------------------------------------------------------------

    public GgufWriter putString(String key, String v) { return put(key, GgufValueType.STRING, v); }
    public GgufWriter putUInt8(String key, int v) { return put(key, GgufValueType.UINT8, checkRange(key, v, 0, 0xFF)); }
    public GgufWriter putInt8(String key, int v) { return put(key, GgufValueType.INT8, checkRange(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE)); }
    public GgufWriter putUInt16(String key, int v) { return put(key, GgufValueType.UINT16, checkRange(key, v, 0, 0xFFFF)); }
    public GgufWriter putInt16(String key, int v) { return put(key, GgufValueType.INT16, checkRange(key, v, Short.MIN_VALUE, Short.MAX_VALUE)); }
    public GgufWriter putInt32(String key, int v) { return put(key, GgufValueType.INT32, v); }
    public GgufWriter putUInt32(String key, long v) { return put(key, GgufValueType.UINT32, checkRange(key, v, 0, 0xFFFF_FFFFL)); }
    public GgufWriter putInt64(String key, long v) { return put(key, GgufValueType.INT64, v); }
    /** UINT64; values above Long.MAX_VALUE are given as their (negative) two's-complement long. */
    public GgufWriter putUInt64(String key, long v) { return put(key, GgufValueType.UINT64, v); }
    public GgufWriter putFloat32(String key, float v) { return put(key, GgufValueType.FLOAT32, v); }
    public GgufWriter putFloat64(String key, double v) { return put(key, GgufValueType.FLOAT64, v); }
    public GgufWriter putBool(String key, boolean v) { return put(key, GgufValueType.BOOL, v); }

    /** Tensor data alignment (power of two); stored as general.alignment. */
    public GgufWriter setAlignment(long alignment) {
        if (alignment <= 0 || alignment > (1L << 30) || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two up to 2^30");
        }
        return putUInt32(GgufReader.ALIGNMENT_KEY, alignment);
    }

    // ---- arrays -----------------------------------------------------------------------------

    public GgufWriter putStringArray(String key, List<String> v) { return putArray(key, GgufValueType.STRING, List.copyOf(v)); }
    public GgufWriter putUInt8Array(String key, int[] v) { return putArray(key, GgufValueType.UINT8, v.clone()); }
    public GgufWriter putInt8Array(String key, int[] v) { return putArray(key, GgufValueType.INT8, v.clone()); }
    public GgufWriter putUInt16Array(String key, int[] v) { return putArray(key, GgufValueType.UINT16, v.clone()); }
    public GgufWriter putInt16Array(String key, int[] v) { return putArray(key, GgufValueType.INT16, v.clone()); }
    public GgufWriter putInt32Array(String key, int[] v) { return putArray(key, GgufValueType.INT32, v.clone()); }
    public GgufWriter putUInt32Array(String key, long[] v) { return putArray(key, GgufValueType.UINT32, v.clone()); }
    public GgufWriter putInt64Array(String key, long[] v) { return putArray(key, GgufValueType.INT64, v.clone()); }
    public GgufWriter putUInt64Array(String key, long[] v) { return putArray(key, GgufValueType.UINT64, v.clone()); }
    public GgufWriter putFloat32Array(String key, float[] v) { return putArray(key, GgufValueType.FLOAT32, v.clone()); }
    public GgufWriter putFloat64Array(String key, double[] v) { return putArray(key, GgufValueType.FLOAT64, v.clone()); }
    public GgufWriter putBoolArray(String key, boolean[] v) { return putArray(key, GgufValueType.BOOL, v.clone()); }

    /**
     * An array of arrays. Each element is a {@link GgufValue} of type ARRAY (exact element type) or a
     * plain Java array/list whose element type is inferred: int[] -> INT32, long[] -> INT64,
     * float[] -> FLOAT32, double[] -> FLOAT64, boolean[] -> BOOL, List of String -> STRING, other List -> ARRAY.
     */
    public GgufWriter putNestedArray(String key, List<?> arrays) { return putArray(key, GgufValueType.ARRAY, List.copyOf(arrays)); }

    /** Any value with its type (e.g. copied from {@link GgufFile#typedMetadata()}); checked against the type. */
    public GgufWriter put(String key, GgufValue value) {
        if (key == null) throw new IllegalArgumentException("metadata key is null");
        checkValue(key, value.type(), value.elementType(), value.value());
        metadata.put(key, value);
        return this;
    }

    /**
     * A value given in the Java types of {@link GgufFile#metadata()}, its GGUF type inferred so that reading
     * the file back gives the same Java value: String -> STRING, Integer -> INT32, Long -> UINT32 when in
     * 0..2^32-1 (what llama.cpp expects for ids and counts) else INT64, Float -> FLOAT32, Double -> FLOAT64,
     * Boolean -> BOOL, List of String -> STRING array, int[] -> INT32 array, long[] -> UINT32 array when all
     * fit else INT64 array, float[] / double[] / boolean[] -> FLOAT32 / FLOAT64 / BOOL arrays, other List -> nested.
     */
    public GgufWriter putPlain(String key, Object value) {
        return switch (value) {
            case String s -> putString(key, s);
            case Integer i -> putInt32(key, i);
            case Long l when l >= 0 && l <= 0xFFFF_FFFFL -> putUInt32(key, l);
            case Long l -> putInt64(key, l);
            case Float f -> putFloat32(key, f);
            case Double d -> putFloat64(key, d);
            case Boolean b -> putBool(key, b);
            case long[] a when Arrays.stream(a).allMatch(x -> x >= 0 && x <= 0xFFFF_FFFFL) -> putUInt32Array(key, a);
            case long[] a -> putInt64Array(key, a);
            case List<?> l when l.stream().allMatch(x -> x instanceof String) && !l.isEmpty() ->
                    putArray(key, GgufValueType.STRING, List.copyOf(l));
            case List<?> l -> putNestedArray(key, l);
            case null -> throw new IllegalArgumentException("metadata '" + key + "' is null");
            default -> {
                GgufValueType t = inferElementType(value);
                if (t == null) throw new IllegalArgumentException("metadata '" + key + "': cannot store a " + value.getClass().getName());
                yield putArray(key, t, value);
            }
        };
    }

    /** {@link #putPlain} for every entry, in the map's order. */
    public GgufWriter putAllPlain(Map<String, ?> values) {
        values.forEach(this::putPlain);
        return this;
    }

    /** Copies every metadata value of {@code source} with its stored type. */
    public GgufWriter putAll(GgufFile source) {
        source.typedMetadata().forEach(this::put);
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    private GgufWriter put(String key, GgufValueType type, Object v) { return put(key, new GgufValue(type, null, v)); }

    private GgufWriter putArray(String key, GgufValueType elementType, Object v) {
        return put(key, new GgufValue(GgufValueType.ARRAY, elementType, v));
    }

    private static long checkRange(String key, long v, long min, long max) {
        if (v < min || v > max) throw new IllegalArgumentException(key + ": " + v + " is outside [" + min + ", " + max + "]");
        return v;
    }

    private static void checkValue(String key, GgufValueType type, GgufValueType elementType, Object v) {
        boolean ok = switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32, UINT32, INT64, UINT64 -> v instanceof Integer || v instanceof Long;
            case FLOAT32, FLOAT64 -> v instanceof Number;
            case BOOL -> v instanceof Boolean;
            case STRING -> v instanceof String;
            case ARRAY -> elementType != null && elementType == inferElementType(v)
                    || elementType != null && isArrayOf(elementType, v);
        };
        if (!ok) {
            throw new IllegalArgumentException("metadata '" + key + "': " + (v == null ? "null" : v.getClass().getSimpleName())
                    + " is not a valid " + type + (elementType == null ? "" : " of " + elementType));
        }
        if (type == GgufValueType.ARRAY && v instanceof List<?> list) {
            for (Object x : list) {
                if (elementType == GgufValueType.STRING && !(x instanceof String)) {
                    throw new IllegalArgumentException("metadata '" + key + "': string array holds " + x);
                }
                if (elementType == GgufValueType.ARRAY) {
                    if (x instanceof GgufValue g) checkValue(key + "[]", g.type(), g.elementType(), g.value());
                    else checkValue(key + "[]", GgufValueType.ARRAY, inferElementType(x), x);
                }
            }
        }
    }

    /** Which Java array type holds elements of {@code t} (the reader's mapping). */
    private static boolean isArrayOf(GgufValueType t, Object v) {
        return switch (t) {
            case UINT8, INT8, UINT16, INT16, INT32 -> v instanceof int[];
            case UINT32, INT64, UINT64 -> v instanceof long[];
            case FLOAT32 -> v instanceof float[];
            case FLOAT64 -> v instanceof double[];
            case BOOL -> v instanceof boolean[];
            case STRING, ARRAY -> v instanceof List<?>;
        };
    }

    /** Element type of a plain Java array value in a nested array. */
    static GgufValueType inferElementType(Object v) {
        return switch (v) {
            case int[] a -> GgufValueType.INT32;
            case long[] a -> GgufValueType.INT64;
            case float[] a -> GgufValueType.FLOAT32;
            case double[] a -> GgufValueType.FLOAT64;
            case boolean[] a -> GgufValueType.BOOL;
            case List<?> l when !l.isEmpty() && l.getFirst() instanceof String -> GgufValueType.STRING;
            case List<?> l -> GgufValueType.ARRAY;
            case null, default -> null;
        };
    }

    // ---- tensors ----------------------------------------------------------------------------

    /**
     * Adds a tensor whose data is streamed at write time.
     *
     * @param shape ggml order (shape[0] contiguous), 1 to 4 dims, shape[0] a multiple of the block size
     * @param data  writes exactly {@code type.bytesFor(elements)} bytes
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorWriter data) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        if (shape.length < 1 || shape.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException(name + ": " + shape.length + " dims, GGUF allows 1.." + GgufReader.MAX_DIMS);
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dim in " + Arrays.toString(shape));
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % type.blockSize != 0) {
            throw new IllegalArgumentException(name + ": first dim " + shape[0] + " is not a multiple of " + type + "'s block size " + type.blockSize);
        }
        tensors.put(name, new PendingTensor(name, type, shape.clone(), type.bytesFor(elements), data));
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        byte[] copy = data.clone();
        return addChecked(name, type, shape, copy.length, out -> ByteSink.writeFully(out, ByteBuffer.wrap(copy)));
    }

    /** The segment must stay valid until {@link #write(Path)} returns. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        return addChecked(name, type, shape, data.byteSize(), out -> ByteSink.write(out, data));
    }

    /** An F32 tensor; {@code shape} in ggml order, its product must equal data.length. */
    public GgufWriter addF32(String name, float[] data, long... shape) {
        float[] copy = data.clone();
        return addChecked(name, GgmlType.F32, shape, 4L * copy.length, out -> ByteSink.writeF32(out, copy));
    }

    private GgufWriter addChecked(String name, GgmlType type, long[] shape, long bytes, TensorWriter data) {
        addTensor(name, type, shape, data);
        long expected = tensors.get(name).byteSize();
        if (bytes != expected) {
            tensors.remove(name);
            throw new IllegalArgumentException(name + ": " + bytes + " bytes given, " + type + " " + Arrays.toString(shape) + " needs " + expected);
        }
        return this;
    }

    // ---- output -----------------------------------------------------------------------------

    /** Writes the file (replacing it). On failure the partial file is deleted. */
    public void write(Path path) throws IOException {
        long alignment = alignment();
        GgufEncoder header = new GgufEncoder();
        header.u32(GgufReader.MAGIC);
        header.u32(3);                              // version
        header.u64(tensors.size());
        header.u64(metadata.size());
        metadata.forEach(header::keyValue);
        long offset = 0;                            // relative to the data section
        for (PendingTensor t : tensors.values()) {
            header.string(t.name());
            header.u32(t.shape().length);
            for (long d : t.shape()) header.u64(d);
            header.u32(t.type().id);
            header.u64(offset);
            offset = GgufReader.alignUp(offset + t.byteSize(), alignment);
        }
        ByteSink.writeFile(path, ch -> {
            ByteSink.writeFully(ch, header.bytes());
            ByteSink.zeros(ch, GgufReader.alignUp(header.size(), alignment) - header.size());
            for (PendingTensor t : tensors.values()) {
                ByteSink.writeTensor(ch, t.name(), t.type() + " " + Arrays.toString(t.shape()), t.byteSize(), t.data());
                ByteSink.zeros(ch, GgufReader.alignUp(t.byteSize(), alignment) - t.byteSize());
            }
        });
    }

    private long alignment() {
        GgufValue v = metadata.get(GgufReader.ALIGNMENT_KEY);
        if (v == null) return GgufReader.DEFAULT_ALIGNMENT;
        long a = ((Number) v.value()).longValue();
        if (a <= 0 || a > (1L << 30) || Long.bitCount(a) != 1) {
            throw new IllegalStateException(GgufReader.ALIGNMENT_KEY + " = " + a + " is not a power of two up to 2^30");
        }
        return a;
    }
}
