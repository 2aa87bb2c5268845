package jmistral.model.vision;

import jmistral.model.RopeLayout;

/**
 * Pixtral's 2D rotary embedding. Pair j rotates dims layout.first(j), layout.second(j): (2j, 2j+1) for
 * native / GGUF weights, (j, j + headDim/2) for HF weights whose q/k rows are permuted for rotate-half.
 * freqs[i] = theta^(-2i/headDim) (f32) for i < headDim/2; pair j = dims (2j, 2j+1):
 * the first headDim/4 pairs rotate by row * freqs[2j], the rest by col * freqs[2(j - headDim/4) + 1].
 * Positions are the patch's (row, col) within its own image.
 */
final class Rope2d {
    private final int headDim;
    private final RopeLayout layout;
    private final float[] cos, sin;   // [patches][headDim/2]

    Rope2d(int patchRows, int patchCols, int headDim, double theta, RopeLayout layout) {
        this.headDim = headDim;
        this.layout = layout;
        int pairs = headDim / 2, quarter = headDim / 4;
        float[] freqs = new float[pairs];
        for (int i = 0; i < pairs; i++) freqs[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
        int n = patchRows * patchCols;
        cos = new float[n * pairs];
        sin = new float[n * pairs];
        for (int t = 0; t < n; t++) {
            int r = t / patchCols, c = t % patchCols;
            for (int j = 0; j < pairs; j++) {
                float angle = j < quarter ? r * freqs[2 * j] : c * freqs[2 * (j - quarter) + 1];
                cos[t * pairs + j] = (float) Math.cos(angle);
                sin[t * pairs + j] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates one head vector x[off .. off+headDim) of patch t in place. */
    void apply(float[] x, int off, int t) {
        int pairs = headDim / 2;
        for (int j = 0; j < pairs; j++) {
            float c = cos[t * pairs + j], s = sin[t * pairs + j];
            int i0 = off + layout.first(j, headDim), i1 = off + layout.second(j, headDim);
            float x0 = x[i0], x1 = x[i1];
            x[i0] = x0 * c - x1 * s;
            x[i1] = x0 * s + x1 * c;
        }
    }
}
