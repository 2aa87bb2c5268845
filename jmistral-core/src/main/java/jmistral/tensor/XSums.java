package jmistral.tensor;

/**
 * Sums of an activation vector over each group of {@link BlockType#sumsGroup()} values (16 or 32, the
 * format's group), computed once per vector and shared by every row of a matrix-vector product: for
 * K-quants with a min (or constant offset) per group, {@code sum_i (d*sc*q_i - dmin*m) * x_i =
 * d*sc * sum_i q_i*x_i - dmin*m * sum_i x_i}, so the second term costs one multiply per group instead
 * of one per weight. Sums over the format's own group size, not the smallest (16) for all: pairing
 * sums of 16 in Q4_K/Q5_K's scalar min term measured 6-8% slower there.
 */
public final class XSums {
    private XSums() {}

    /** sums[i] = x[off + gi] + ... + x[off + gi + g - 1] for i < n / g, g = {@code group} (n a multiple of g). */
    public static float[] of(float[] x, int off, int n, int group) {
        float[] sums = new float[n / group];
        into(x, off, n, group, sums, 0);
        return sums;
    }

    /** {@link #of} into sums[sumsOff ..]. */
    public static void into(float[] x, int off, int n, int group, float[] sums, int sumsOff) {
        // plain loop: called once per vector (cols adds, nothing next to a matvec's rows x cols), and
        // cold code must not box vectors while it is still interpreted
        for (int g = 0; g < n / group; g++) {
            float s = 0;
            for (int i = off + group * g, end = i + group; i < end; i++) s += x[i];
            sums[sumsOff + g] = s;
        }
    }
}
