package jmistral.gguf;

/**
 * One metadata value as stored: its type, for arrays the element type, and the Java value
 * (the mapping is described in {@link GgufValueType} and {@link GgufFile#metadata()}).
 *
 * @param type        the stored type
 * @param elementType for ARRAY the element type, else null
 * @param value       Integer, Long, Float, Double, Boolean, String, or for arrays int[], long[],
 *                    float[], double[], boolean[], List&lt;String&gt;, List&lt;Object&gt; (nested arrays)
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
}
