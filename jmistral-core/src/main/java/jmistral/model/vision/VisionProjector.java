package jmistral.model.vision;

import jmistral.tensor.ComputePool;
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
        int d = c.hidden(), m = c.spatialMerge();
        int tokenRows = patchRows / m, tokenCols = patchCols / m, tokens = tokenRows * tokenCols;
        int mergedLen = d * m * m;
        ComputePool pool = ComputePool.current();
        // RMSNorm of the m x m patches of each token, written straight in unfold order
        float[] merged = new float[tokens * mergedLen];  // [tokens][d*m*m], index ch*m*m + ki*m + kj
        pool.parallelForRange(tokens, (start, end) -> {
            float[] normed = new float[d];
            for (int token = start; token < end; token++) {
                int bi = token / tokenCols, bj = token % tokenCols, o = token * mergedLen;
                for (int ki = 0; ki < m; ki++) {
                    for (int kj = 0; kj < m; kj++) {
                        int src = ((bi * m + ki) * patchCols + bj * m + kj) * d;
                        VectorMath.rmsnorm(normed, 0, features, src, w.projectorNorm(), c.eps(), d);
                        for (int ch = 0, at = o + ki * m + kj; ch < d; ch++, at += m * m) merged[at] = normed[ch];
                    }
                }
            }
        });
        float[] reduced = new float[tokens * d];         // [tokens][hidden]
        w.patchMerger().matmul(merged, tokens, reduced);
        int pd = c.projectionDim();
        float[] mid = new float[tokens * pd];            // [tokens][projectionDim]
        w.linear1().matmul(reduced, tokens, mid);
        pool.parallelForRange(tokens, (start, end) -> {
            for (int t = start; t < end; t++) Gelu.inPlace(mid, t * pd, pd);
        });
        float[] out = new float[tokens * pd];            // [tokens][projectionDim]
        w.linear2().matmul(mid, tokens, out);
        return out;
    }
}
