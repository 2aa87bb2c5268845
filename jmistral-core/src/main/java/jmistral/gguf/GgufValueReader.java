package jmistral.gguf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decodes metadata values (scalars, strings, arrays, nested arrays) at a cursor.
 * Hostile counts are checked against the bytes left before anything is allocated; on top of that a
 * budget on the total number of array elements keeps the heap bounded (real files hold a few hundred
 * thousand: the vocabulary and merges), and nesting depth is capped so nothing can overflow the stack.
 */
final class GgufValueReader {
    /** Total array elements allowed in one file's metadata (real Mistral GGUFs: ~0.4 M). */
    static final long MAX_TOTAL_ARRAY_ELEMENTS = 1L << 25;
    /** Arrays of arrays deeper than this are refused. */
    static final int MAX_NESTING = 8;

    private final GgufCursor in;
    private long elementBudget = MAX_TOTAL_ARRAY_ELEMENTS;

    GgufValueReader(GgufCursor in) {
        this.in = in;
    }

    /** Reads a uint32 type id and checks it is known. */
    GgufValueType type(String what) {
        long at = in.position();
        int id = in.i32(what + " type");
        GgufValueType t = GgufValueType.byId(id);
        if (t == null) throw in.error(at, what + ": unknown metadata value type id " + Integer.toUnsignedString(id));
        return t;
    }

    /** A value of type {@code t} (for ARRAY: element type, count, elements). */
    GgufValue value(GgufValueType t, String what) {
        if (t != GgufValueType.ARRAY) return new GgufValue(t, null, scalar(t, what));
        GgufValueType elementType = type(what + " array element");
        return new GgufValue(t, elementType, array(elementType, what, 1));
    }

    private Object scalar(GgufValueType t, String what) {
        return switch (t) {
            case UINT8 -> in.u8(what);
            case INT8 -> (int) (byte) in.u8(what);
            case UINT16 -> in.u16(what);
            case INT16 -> (int) (short) in.u16(what);
            case UINT32 -> Integer.toUnsignedLong(in.i32(what));
            case INT32 -> in.i32(what);
            case FLOAT32 -> in.f32(what);
            case BOOL -> bool(what);
            case STRING -> in.string(what);
            case UINT64, INT64 -> in.i64(what);
            case FLOAT64 -> in.f64(what);
            case ARRAY -> throw new IllegalStateException("arrays are read by array()");
        };
    }

    private boolean bool(String what) {
        long at = in.position();
        int b = in.u8(what);
        if (b > 1) throw in.error(at, what + ": bool value " + b + " is neither 0 nor 1");
        return b == 1;
    }

    /** uint64 count then elements, decoded into the Java type the contract names. */
    private Object array(GgufValueType t, String what, int depth) {
        long at = in.position();
        if (depth > MAX_NESTING) throw in.error(at, what + ": arrays nested deeper than " + MAX_NESTING);
        long count = in.i64(what + " array count");
        in.requireCount(count, t.minBytes, what + ": array count");
        if (count > elementBudget) {
            throw in.error(at, what + ": array of " + count + " elements exceeds the metadata limit of "
                    + MAX_TOTAL_ARRAY_ELEMENTS + " array elements per file");
        }
        elementBudget -= count;
        int n = (int) count;
        switch (t) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = (Integer) scalar(t, what);
                return a;
            }
            case UINT32, INT64, UINT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = t == GgufValueType.UINT32 ? Integer.toUnsignedLong(in.i32(what)) : in.i64(what);
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = in.f32(what);
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = in.f64(what);
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = bool(what);
                return a;
            }
            case STRING -> {
                List<String> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) a.add(in.string(what + "[" + i + "]"));
                return Collections.unmodifiableList(a);
            }
            case ARRAY -> {
                // kept typed (List of GgufValue) so copies are exact; GgufFile.metadata() unwraps them
                List<GgufValue> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    GgufValueType inner = type(what + "[" + i + "] element");
                    a.add(new GgufValue(GgufValueType.ARRAY, inner, array(inner, what + "[" + i + "]", depth + 1)));
                }
                return Collections.unmodifiableList(a);
            }
        }
        throw new IllegalStateException("unreachable: " + t);
    }
}
