package jmistral.model.vision;

import java.util.List;
import jmistral.tensor.ComputePool;
import jmistral.tensor.VectorMath;
import jmistral.image.PreprocessedImage;

/**
 * Pixtral vision tower: patch conv (no bias), ln_pre RMSNorm, then per layer
 * {@code x += Wo attn(rope(Wq rms(x)), rope(Wk rms(x)), Wv rms(x)); x += down(silu(gate rms(x)) * up rms(x))}.
 * No final norm. One image per call: positions restart per image and images never attend to each
 * other (the block-diagonal mask of the references).
 */
public final class VisionEncoder {
    private final VisionWeights w;
    private final VisionConfig c;

    public VisionEncoder(VisionWeights weights) {
        this.w = weights;
        this.c = weights.config();
    }

    /** @return patch features [patchRows*patchCols][hidden], row-major over the patch grid */
    public float[] encode(PreprocessedImage image) {
        int rows = image.height() / c.patchSize(), cols = image.width() / c.patchSize();
        int n = rows * cols, d = c.hidden();
        float[] x = new float[n * d];                       // [n][hidden]
        w.patchEmbed().matmul(patches(image, rows, cols), n, x);
        addAndNorm(x, null, x, w.preNorm(), n);

        Rope2d rope = new Rope2d(rows, cols, c.headDim(), c.ropeTheta(), w.rope());
        BlockAttention attention = new BlockAttention(n, c.heads(), c.headDim());
        int ffn = c.ffn();
        float[] h = new float[n * d];                        // normed input of a sub-block: [n][hidden]
        float[] q = new float[n * d], k = new float[n * d], v = new float[n * d], att = new float[n * d];
        float[] proj = new float[n * d];                     // output of wo / down: [n][hidden]
        float[] gate = new float[n * ffn], up = new float[n * ffn];   // [n][ffn]
        List<VisionWeights.Block> blocks = w.blocks();
        for (int l = 0; l < blocks.size(); l++) {
            VisionWeights.Block b = blocks.get(l);
            // x += proj (the previous layer's MLP; nothing on the first layer), h = rms(x)
            addAndNorm(x, l == 0 ? null : proj, h, b.attnNorm(), n);
            b.wq().matmul(h, n, q);
            b.wk().matmul(h, n, k);
            b.wv().matmul(h, n, v);
            attention.attend(q, k, v, rope, att);
            b.wo().matmul(att, n, proj);

            addAndNorm(x, proj, h, b.ffnNorm(), n);
            b.gate().matmul(h, n, gate);
            b.up().matmul(h, n, up);
            ComputePool.current().parallelForRange(n, (s, e) -> VectorMath.swiglu(gate, s * ffn, up, s * ffn, (e - s) * ffn));
            b.down().matmul(gate, n, proj);
        }
        if (!blocks.isEmpty()) {
            ComputePool.current().parallelForRange(n, (s, e) -> VectorMath.add(x, s * d, proj, s * d, (e - s) * d));
        }
        return x;
    }

    /** Per patch, in parallel: x[t] += residual[t] (when residual is not null), then out[t] = rms(x[t]) * weight. */
    private void addAndNorm(float[] x, float[] residual, float[] out, float[] weight, int n) {
        int d = c.hidden();
        ComputePool.current().parallelForRange(n, (s, e) -> {
            for (int t = s; t < e; t++) {
                if (residual != null) VectorMath.add(x, t * d, residual, t * d, d);
                VectorMath.rmsnorm(out, t * d, x, t * d, weight, c.eps(), d);
            }
        });
    }

    /** Unfolds the CHW image into conv input rows: [n][3*p*p], each row in (channel, ky, kx) order. */
    private float[] patches(PreprocessedImage image, int rows, int cols) {
        int p = c.patchSize(), width = image.width(), plane = image.height() * width, len = 3 * p * p;
        float[] px = image.pixels();
        float[] out = new float[rows * cols * len];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                int o = (r * cols + col) * len;
                for (int ch = 0; ch < 3; ch++) {
                    for (int ky = 0; ky < p; ky++) {
                        System.arraycopy(px, ch * plane + (r * p + ky) * width + col * p, out, o, p);
                        o += p;
                    }
                }
            }
        }
        return out;
    }
}
