package jmistral.model;

/**
 * Rotary position embedding for the text decoder. Frequencies and angles are computed in double
 * (inv_freq_i = theta^(-2i/hd), angle = pos * inv_freq_i) so they stay exact at long positions;
 * the rotation itself is f32. Which dims form a pair depends on the checkpoint ({@link RopeLayout}).
 */
public final class Rope {
    private final int headDim;
    private final RopeLayout layout;
    private final double[] invFreq; // [headDim/2]

    public Rope(int headDim, double theta, RopeLayout layout) {
        this.headDim = headDim;
        this.layout = layout;
        this.invFreq = new double[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) invFreq[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }

    /** cos and sin of every pair's angle for each position: two arrays [positions.length][headDim/2]. */
    public float[][] table(int[] positions) {
        int half = headDim / 2;
        float[] cos = new float[positions.length * half];
        float[] sin = new float[positions.length * half];
        for (int t = 0; t < positions.length; t++) {
            for (int i = 0; i < half; i++) {
                double angle = positions[t] * invFreq[i];
                cos[t * half + i] = (float) Math.cos(angle);
                sin[t * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * Rotates every head of every token in place. x: [tokens][nHeads*headDim]; cos, sin from
     * {@link #table} for the same tokens.
     */
    public void apply(float[] x, int tokens, int nHeads, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < nHeads; h++) {
                int base = (t * nHeads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = base + layout.first(i, headDim), b = base + layout.second(i, headDim);
                    float c = cos[t * half + i], s = sin[t * half + i];
                    float x0 = x[a], x1 = x[b];
                    x[a] = x0 * c - x1 * s;
                    x[b] = x0 * s + x1 * c;
                }
            }
        }
    }
}
