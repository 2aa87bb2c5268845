package jmistral.model.vision;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import jmistral.model.RopeLayout;
import jmistral.tensor.VectorLanes;

/**
 * Pixtral's 2D rotary embedding. Pair j rotates dims layout.first(j), layout.second(j): (2j, 2j+1) for
 * native / GGUF weights, (j, j + headDim/2) for HF weights whose q/k rows are permuted for rotate-half.
 * freqs[i] = theta^(-2i/headDim) (f32) for i < headDim/2; pair j = dims (2j, 2j+1):
 * the first headDim/4 pairs rotate by row * freqs[2j], the rest by col * freqs[2(j - headDim/4) + 1].
 * Positions are the patch's (row, col) within its own image.
 *
 * <p>The tables are built once per image and hold one entry per dimension, so a rotation is
 * {@code out[i] = x[i] * cos[i] + x[partner(i)] * sin[i]} (sin carries the sign: minus on the first
 * dim of a pair). That is two vector multiplies per vector of dims; the partner vector is a lane swap
 * (interleaved) or the other half of the head (rotate-half).
 */
final class Rope2d {
    private static final VectorSpecies<Float> F = VectorLanes.F;        // the kernels' species (-Djmistral.vectorBits)
    private static final int LANES = F.length();
    /** Lane i takes lane i ^ 1: the partner of each dim under the interleaved layout. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    private final int headDim;
    private final RopeLayout layout;
    private final float[] cos, sin;   // [patches][headDim], per dimension; sin signed
    private final boolean vectorized;

    Rope2d(int patchRows, int patchCols, int headDim, double theta, RopeLayout layout) {
        this.headDim = headDim;
        this.layout = layout;
        int pairs = headDim / 2, quarter = headDim / 4;
        float[] freqs = new float[pairs];
        for (int i = 0; i < pairs; i++) freqs[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
        int n = patchRows * patchCols;
        cos = new float[n * headDim];
        sin = new float[n * headDim];
        for (int t = 0; t < n; t++) {
            int r = t / patchCols, c = t % patchCols;
            for (int j = 0; j < pairs; j++) {
                float angle = j < quarter ? r * freqs[2 * j] : c * freqs[2 * (j - quarter) + 1];
                float cj = (float) Math.cos(angle), sj = (float) Math.sin(angle);
                int i0 = t * headDim + layout.first(j, headDim), i1 = t * headDim + layout.second(j, headDim);
                cos[i0] = cj;
                cos[i1] = cj;
                sin[i0] = -sj;   // out0 = x0 c - x1 s
                sin[i1] = sj;    // out1 = x1 c + x0 s
            }
        }
        vectorized = layout == RopeLayout.INTERLEAVED ? headDim % LANES == 0 : (headDim / 2) % LANES == 0;
    }

    /** dst[dstOff + i] = scale * rope(x[off .. off+headDim))[i] for patch t (dst may be x). */
    void rotate(float[] x, int off, int t, float scale, float[] dst, int dstOff) {
        if (!vectorized) {
            rotateScalar(x, off, t, scale, dst, dstOff);
            return;
        }
        int base = t * headDim;
        if (layout == RopeLayout.INTERLEAVED) {
            for (int i = 0; i < headDim; i += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, off + i);
                FloatVector partner = xv.rearrange(SWAP_PAIRS);
                xv.mul(FloatVector.fromArray(F, cos, base + i))
                        .add(partner.mul(FloatVector.fromArray(F, sin, base + i)))
                        .mul(scale).intoArray(dst, dstOff + i);
            }
        } else {
            int half = headDim / 2;
            for (int i = 0; i < half; i += LANES) {
                FloatVector x0 = FloatVector.fromArray(F, x, off + i), x1 = FloatVector.fromArray(F, x, off + half + i);
                FloatVector o0 = x0.mul(FloatVector.fromArray(F, cos, base + i)).add(x1.mul(FloatVector.fromArray(F, sin, base + i)));
                FloatVector o1 = x1.mul(FloatVector.fromArray(F, cos, base + half + i))
                        .add(x0.mul(FloatVector.fromArray(F, sin, base + half + i)));
                o0.mul(scale).intoArray(dst, dstOff + i);
                o1.mul(scale).intoArray(dst, dstOff + half + i);
            }
        }
    }

    /** The plain loop over pairs (head sizes the vector path does not cover; tests). */
    void rotateScalar(float[] x, int off, int t, float scale, float[] dst, int dstOff) {
        int base = t * headDim;
        for (int j = 0; j < headDim / 2; j++) {
            int d0 = layout.first(j, headDim), d1 = layout.second(j, headDim);
            float x0 = x[off + d0], x1 = x[off + d1];
            dst[dstOff + d0] = (x0 * cos[base + d0] + x1 * sin[base + d0]) * scale;
            dst[dstOff + d1] = (x1 * cos[base + d1] + x0 * sin[base + d1]) * scale;
        }
    }
}
