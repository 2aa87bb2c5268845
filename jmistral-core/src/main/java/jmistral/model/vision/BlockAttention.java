package jmistral.model.vision;

import jmistral.tensor.ComputePool;
import jmistral.tensor.VectorMath;

/**
 * Full (non-causal) attention within one image, tiled: each query streams over the keys in blocks
 * with an online softmax, so memory is O(N * headDim) and no N x N score matrix exists (a 1540 px
 * image has 12,100 patches). Parallel over (head, query) pairs.
 */
final class BlockAttention {
    private static final int KEY_BLOCK = 256;

    private BlockAttention() {}

    /**
     * @param q   [n][heads*headDim] (RoPE applied)
     * @param k   [n][heads*headDim] (RoPE applied)
     * @param v   [n][heads*headDim]
     * @param out [n][heads*headDim]
     */
    static void attend(float[] q, float[] k, float[] v, float[] out, int n, int heads, int headDim) {
        int dim = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        ComputePool.shared().parallelForRange(heads * n, (start, end) -> {
            float[] scores = new float[KEY_BLOCK];
            float[] acc = new float[headDim];
            for (int task = start; task < end; task++) {
                int h = task / n, t = task % n;
                int qOff = t * dim + h * headDim;
                float max = Float.NEGATIVE_INFINITY, sum = 0;
                java.util.Arrays.fill(acc, 0);
                for (int k0 = 0; k0 < n; k0 += KEY_BLOCK) {
                    int len = Math.min(KEY_BLOCK, n - k0);
                    float blockMax = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < len; i++) {
                        scores[i] = VectorMath.dot(q, qOff, k, (k0 + i) * dim + h * headDim, headDim) * scale;
                        blockMax = Math.max(blockMax, scores[i]);
                    }
                    float newMax = Math.max(max, blockMax);
                    float correction = (float) Math.exp(max - newMax);   // 0 on the first block
                    sum *= correction;
                    VectorMath.scale(acc, 0, correction, headDim);
                    for (int i = 0; i < len; i++) {
                        float p = (float) Math.exp(scores[i] - newMax);
                        sum += p;
                        VectorMath.axpy(p, v, (k0 + i) * dim + h * headDim, acc, 0, headDim);
                    }
                    max = newMax;
                }
                float inv = 1f / sum;
                for (int d = 0; d < headDim; d++) out[qOff + d] = acc[d] * inv;
            }
        });
    }
}
