package jmistral.model;

/** The few element-wise operations the decoder needs on f32 rows. */
final class Ops {
    private Ops() {}

    /** out[o..o+n) = w * x[i..i+n) / sqrt(mean(x^2) + eps); the sum of squares in double. */
    static void rmsnorm(float[] out, int o, float[] x, int i, float[] w, double eps, int n) {
        double ss = 0;
        for (int j = 0; j < n; j++) ss += (double) x[i + j] * x[i + j];
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int j = 0; j < n; j++) out[o + j] = w[j] * (x[i + j] * scale);
    }

    /** x[0..n) += y[0..n). */
    static void add(float[] x, float[] y, int n) {
        for (int j = 0; j < n; j++) x[j] += y[j];
    }

    /** gate[0..n) = silu(gate) * up. */
    static void swiglu(float[] gate, float[] up, int n) {
        for (int j = 0; j < n; j++) {
            float g = gate[j];
            gate[j] = (float) (g / (1.0 + Math.exp(-g))) * up[j];
        }
    }

    static float dot(float[] a, int ia, float[] b, int ib, int n) {
        float s = 0;
        for (int j = 0; j < n; j++) s += a[ia + j] * b[ib + j];
        return s;
    }
}
