package jmistral.tensor;

/** Rounding helpers with llama.cpp's exact semantics, shared by the quantizers. */
final class QuantMath {
    private QuantMath() {}

    /** llama.cpp nearest_int: round half to even (its 1.5*2^23 trick), for |f| < 2^22. */
    static int nearestInt(float f) {
        return (int) Math.rint(f);
    }

    /** C roundf: half away from zero. */
    static float roundHalfAway(float f) {
        return (float) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }

    /** The element of largest magnitude in x[off .. off+n), with its sign (first one on ties). */
    static float signedAbsMax(float[] x, int off, int n) {
        float amax = 0, max = 0;
        for (int j = 0; j < n; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    static float min(float[] x, int off, int n) {
        float m = Float.MAX_VALUE;
        for (int j = 0; j < n; j++) m = Math.min(m, x[off + j]);
        return m;
    }

    static float max(float[] x, int off, int n) {
        float m = -Float.MAX_VALUE;
        for (int j = 0; j < n; j++) m = Math.max(m, x[off + j]);
        return m;
    }
}
