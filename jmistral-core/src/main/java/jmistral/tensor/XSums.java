package jmistral.tensor;

/**
 * Sums of an activation vector over each group of 32 values, computed once per vector and shared by
 * every row of a matrix-vector product ({@link BlockType#usesSums32()}): for K-quants with a min per
 * sub-block, {@code sum_i (d*sc*q_i - dmin*m) * x_i = d*sc * sum_i q_i*x_i - dmin*m * sum_i x_i}, so
 * the second term costs one multiply per 32 weights instead of one per weight.
 */
public final class XSums {
    private XSums() {}

    /** sums[i] = x[off + 32i] + ... + x[off + 32i + 31] for i < n / 32 (n a multiple of 32). */
    public static float[] of(float[] x, int off, int n) {
        float[] sums = new float[n / 32];
        into(x, off, n, sums, 0);
        return sums;
    }

    /** {@link #of} into sums[sumsOff ..]. */
    public static void into(float[] x, int off, int n, float[] sums, int sumsOff) {
        // plain loop: called once per vector (cols adds, nothing next to a matvec's rows x cols), and
        // cold code must not box vectors while it is still interpreted
        for (int g = 0; g < n / 32; g++) {
            float s = 0;
            for (int i = off + 32 * g, end = i + 32; i < end; i++) s += x[i];
            sums[sumsOff + g] = s;
        }
    }
}
