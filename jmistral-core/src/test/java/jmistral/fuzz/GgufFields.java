package jmistral.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the structural fields of a valid GGUF file are (counts, string lengths, value and tensor types, array
 * lengths, dimensions, tensor offsets), found by walking its header as gguf.h lays it out, so corruptions hit
 * the fields a reader trusts rather than the bytes of a name.
 */
final class GgufFields {
    enum Kind { COUNT, LENGTH, TYPE, DIM, OFFSET }

    /** A field: its byte position, width (4 or 8) and what it holds. */
    record Field(int at, int width, Kind kind, long value) {}

    private final ByteBuffer b;
    final List<Field> fields = new ArrayList<>();

    private GgufFields(byte[] gguf) {
        b = ByteBuffer.wrap(gguf).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The fields of a valid v3 GGUF file. */
    static List<Field> of(byte[] gguf) {
        GgufFields w = new GgufFields(gguf);
        w.walk();
        return w.fields;
    }

    private void walk() {
        b.position(8);   // magic, version
        long tensors = u64(Kind.COUNT), kvs = u64(Kind.COUNT);
        for (long i = 0; i < kvs; i++) {
            string();
            value((int) u32(Kind.TYPE));
        }
        for (long i = 0; i < tensors; i++) {
            string();
            long dims = u32(Kind.COUNT);
            for (long d = 0; d < dims; d++) u64(Kind.DIM);
            u32(Kind.TYPE);
            u64(Kind.OFFSET);
        }
    }

    private void value(int type) {
        switch (type) {
            case 0, 1, 7 -> b.position(b.position() + 1);
            case 2, 3 -> b.position(b.position() + 2);
            case 4, 5, 6 -> b.position(b.position() + 4);
            case 10, 11, 12 -> b.position(b.position() + 8);
            case 8 -> string();
            case 9 -> {
                int element = (int) u32(Kind.TYPE);
                long n = u64(Kind.COUNT);
                for (long i = 0; i < n; i++) value(element);
            }
            default -> throw new IllegalStateException("not a valid GGUF value type: " + type);
        }
    }

    private void string() {
        long n = u64(Kind.LENGTH);
        b.position(b.position() + (int) n);
    }

    private long u32(Kind kind) {
        int at = b.position();
        long v = Integer.toUnsignedLong(b.getInt());
        fields.add(new Field(at, 4, kind, v));
        return v;
    }

    private long u64(Kind kind) {
        int at = b.position();
        long v = b.getLong();
        fields.add(new Field(at, 8, kind, v));
        return v;
    }
}
