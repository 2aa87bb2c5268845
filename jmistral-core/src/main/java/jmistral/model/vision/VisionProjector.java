package jmistral.model.vision;

import jmistral.tensor.VectorMath;

/**
 * Mistral-3 multimodal projector: RMSNorm, 2x2 patch merger (unfold order), linear, GELU (erf),
 * linear. Turns [patchRows*patchCols][hidden] features into [(patchRows/2)*(patchCols/2)][projectionDim]
 * embeddings, one per [IMG] token, row-major over the token grid.
 */
public final class VisionProjector {
    private final VisionWeights w;
    private final VisionConfig c;

    public VisionProjector(VisionWeights weights) {
        this.w = weights;
        this.c = weights.config();
    }

    /** [patchRows*patchCols][hidden] encoder features -> [(patchRows/2)*(patchCols/2)][projectionDim] embeddings. */
    public float[] project(float[] features, int patchRows, int patchCols) {
        int d = c.hidden(), m = c.spatialMerge(), n = patchRows * patchCols;
        float[] normed = new float[n * d];
        for (int t = 0; t < n; t++) VectorMath.rmsnorm(normed, t * d, features, t * d, w.projectorNorm(), c.eps(), d);

        int tokenRows = patchRows / m, tokenCols = patchCols / m, tokens = tokenRows * tokenCols;
        int mergedLen = d * m * m;
        float[] merged = new float[tokens * mergedLen];  // [tokens][d*m*m], index ch*m*m + ki*m + kj
        for (int bi = 0; bi < tokenRows; bi++) {
            for (int bj = 0; bj < tokenCols; bj++) {
                int o = (bi * tokenCols + bj) * mergedLen;
                for (int ki = 0; ki < m; ki++) {
                    for (int kj = 0; kj < m; kj++) {
                        int src = ((bi * m + ki) * patchCols + bj * m + kj) * d;
                        for (int ch = 0; ch < d; ch++) merged[o + ch * m * m + ki * m + kj] = normed[src + ch];
                    }
                }
            }
        }
        float[] reduced = new float[tokens * d];         // [tokens][hidden]
        w.patchMerger().matmul(merged, tokens, reduced);
        float[] mid = new float[tokens * c.projectionDim()];
        w.linear1().matmul(reduced, tokens, mid);
        Gelu.inPlace(mid, 0, mid.length);
        float[] out = new float[tokens * c.projectionDim()];
        w.linear2().matmul(mid, tokens, out);
        return out;
    }
}
