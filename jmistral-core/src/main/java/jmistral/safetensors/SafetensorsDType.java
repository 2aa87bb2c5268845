package jmistral.safetensors;

import jmistral.tensor.GgmlType;

/**
 * Element types named in safetensors headers, with their size in bytes and the engine's type when
 * the engine can compute with it (null otherwise: such tensors give a clear error when opened).
 */
public enum SafetensorsDType {
    F64(8, GgmlType.F64),
    F32(4, GgmlType.F32),
    F16(2, GgmlType.F16),
    BF16(2, GgmlType.BF16),
    I64(8, GgmlType.I64),
    I32(4, GgmlType.I32),
    I16(2, GgmlType.I16),
    I8(1, GgmlType.I8),
    U64(8, null),
    U32(4, null),
    U16(2, null),
    U8(1, null),
    BOOL(1, null),
    F8_E4M3(1, null),
    F8_E5M2(1, null);

    /** Bytes per element. */
    public final int size;
    /** The matching engine type, or null when unsupported. */
    public final GgmlType ggmlType;

    SafetensorsDType(int size, GgmlType ggmlType) {
        this.size = size;
        this.ggmlType = ggmlType;
    }

    /** The dtype with this header name, or null when unknown. */
    public static SafetensorsDType parse(String name) {
        for (SafetensorsDType d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    /** The safetensors dtype that stores this engine type, or null. */
    public static SafetensorsDType of(GgmlType type) {
        for (SafetensorsDType d : values()) if (d.ggmlType == type) return d;
        return null;
    }
}
