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

    /**
     * dst[off + i] = the IEEE half at byte {@code at + 2i} of {@code src} (little-endian), for i < n:
     * LANES at a time ({@link HalfLanes#f16}), the tail one by one. The f16 KV cache's row reads.
     */
    public static void toFloats(java.lang.foreign.MemorySegment src, long at, float[] dst, int off, int n) {
        int i = 0;
        for (int bound = VectorLanes.F.loopBound(n); i < bound; i += VectorLanes.LANES) {
            HalfLanes.f16(src, at + 2L * i).intoArray(dst, off + i);
        }
        for (; i < n; i++) dst[off + i] = Float.float16ToFloat(src.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at + 2L * i));
    }
}
