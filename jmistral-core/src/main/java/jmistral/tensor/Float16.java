package jmistral.tensor;

/**
 * IEEE 754 half precision (binary16) conversions. Scale fields of quantized blocks and F16 tensors
 * use this format. Both directions are exact where the value is representable; {@link #fromFloat}
 * rounds to nearest, ties to even, keeps subnormals, infinities and NaN (payload truncated, quiet).
 */
public final class Float16 {
    private Float16() {}

    /** The float value of the half whose bits are {@code h}. */
    public static float toFloat(short h) {
        return Float.float16ToFloat(h); // exact; HotSpot intrinsic (vcvtph2ps)
    }

    /** The nearest half to {@code f} (ties to even), as raw bits. */
    public static short fromFloat(float f) {
        return Float.floatToFloat16(f); // round to nearest even, IEEE semantics
    }
}
