package jmistral.model.vision;

import jmistral.tensor.VectorMath;
import jmistral.vision.PreprocessedImage;

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
        for (int t = 0; t < n; t++) VectorMath.rmsnorm(x, t * d, x, t * d, w.preNorm(), c.eps(), d);

        Rope2d rope = new Rope2d(rows, cols, c.headDim(), c.ropeTheta(), w.rope());
        BlockAttention attention = new BlockAttention(n, c.heads(), c.headDim());
        float[] h = new float[n * d], q = new float[n * d], k = new float[n * d], v = new float[n * d];
        float[] att = new float[n * d], proj = new float[n * d];
        float[] gate = new float[n * c.ffn()], up = new float[n * c.ffn()];
        for (VisionWeights.Block b : w.blocks()) {
            for (int t = 0; t < n; t++) VectorMath.rmsnorm(h, t * d, x, t * d, b.attnNorm(), c.eps(), d);
            b.wq().matmul(h, n, q);
            b.wk().matmul(h, n, k);
            b.wv().matmul(h, n, v);
            attention.attend(q, k, v, rope, att);
            b.wo().matmul(att, n, proj);
            VectorMath.add(x, 0, proj, 0, n * d);

            for (int t = 0; t < n; t++) VectorMath.rmsnorm(h, t * d, x, t * d, b.ffnNorm(), c.eps(), d);
            b.gate().matmul(h, n, gate);
            b.up().matmul(h, n, up);
            VectorMath.swiglu(gate, 0, up, 0, n * c.ffn());
            b.down().matmul(gate, n, proj);
            VectorMath.add(x, 0, proj, 0, n * d);
        }
        return x;
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
