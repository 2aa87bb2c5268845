package jmistral.gguf;

/**
 * One metadata value as stored: its type, for arrays the element type, and the Java value
 * (the mapping is described in {@link GgufValueType} and {@link GgufFile#metadata()}).
 *
 * @param type        the stored type
 * @param elementType for ARRAY the element type, else null
 * @param value       Integer, Long, Float, Double, Boolean, String, or for arrays int[], long[],
 *                    float[], double[], boolean[], List&lt;String&gt;, and for arrays of arrays a List of
 *                    GgufValue (each an ARRAY, so inner element types are kept)
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    /** The plain Java value: nested arrays become List&lt;Object&gt; of their plain values. */
    public Object plain() {
        if (elementType == GgufValueType.ARRAY && value instanceof java.util.List<?> list) {
            return list.stream().map(x -> x instanceof GgufValue g ? g.plain() : x).toList();
        }
        return value;
    }
}
