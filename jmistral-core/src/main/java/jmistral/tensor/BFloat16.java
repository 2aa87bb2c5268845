package jmistral.tensor;

/**
 * bfloat16: the top 16 bits of an IEEE float (8-bit exponent, 7-bit mantissa). HF safetensors
 * checkpoints are stored in it.
 */
public final class BFloat16 {
    private BFloat16() {}

    /** The float value of the bfloat16 whose bits are {@code b}: exact, a shift. */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** The nearest bfloat16 to {@code f}, ties to even; NaN stays NaN (quiet), infinities stay. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) { // NaN: keep sign and top payload bits, force quiet bit
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Add 0x7FFF plus the lowest kept bit: rounds to nearest, ties to the even kept value.
        // Overflow into the exponent is correct (rounds up to the next binade or to infinity).
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }
}
