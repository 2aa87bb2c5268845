package jmistral.gguf;

/**
 * Types of GGUF metadata values, with the ids stored in the file (gguf.h {@code gguf_type}).
 * Every value is stored little-endian as: its fixed-size bytes, or for STRING a uint64 byte length
 * followed by UTF-8 bytes, or for ARRAY a uint32 element type, a uint64 count and the elements.
 *
 * <p>Java types the reader produces: UINT8/INT8/UINT16/INT16/INT32 -> Integer;
 * UINT32/INT64/UINT64 -> Long (UINT64 above Long.MAX_VALUE wraps negative); FLOAT32 -> Float;
 * FLOAT64 -> Double; BOOL -> Boolean; STRING -> String; ARRAY -> see {@link GgufFile#metadata()}.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),   // minimum size: the uint64 length of an empty string
    ARRAY(9, 12),   // minimum size: uint32 element type + uint64 count of an empty array
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    /** Id stored in the file. */
    public final int id;
    /** Bytes one value occupies at least (exactly, for the fixed-size types). */
    public final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    private static final GgufValueType[] BY_ID = values();

    /** The type with this id, or null when unknown. Ids are dense 0..12, in declaration order. */
    public static GgufValueType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** True for the types whose values have a fixed size (everything but STRING and ARRAY). */
    public boolean isFixedSize() {
        return this != STRING && this != ARRAY;
    }
}
