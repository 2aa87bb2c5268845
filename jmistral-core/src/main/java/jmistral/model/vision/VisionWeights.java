package jmistral.model.vision;

import java.util.ArrayList;
import java.util.List;
import jmistral.ModelFileException;
import jmistral.tensor.Matrix;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

/**
 * Vision tower + projector weights, used in place from a {@link TensorSource}. GGUF mmproj names;
 * q/k rows in the interleaved-pair RoPE layout (as GGUF stores them).
 *
 * @param patchEmbed      [hidden][3*patch*patch], columns in (channel, ky, kx) order
 * @param preNorm         ln_pre [hidden]
 * @param blocks          per layer
 * @param projectorNorm   mm.input_norm [hidden]
 * @param patchMerger     [hidden][4*hidden], columns in unfold order 4*ch + 2*ki + kj
 * @param linear1         [projectionDim][hidden]
 * @param linear2         [projectionDim][projectionDim]
 */
public record VisionWeights(VisionConfig config, Matrix patchEmbed, float[] preNorm, List<Block> blocks,
                            float[] projectorNorm, Matrix patchMerger, Matrix linear1, Matrix linear2) {

    /** One encoder layer: attention_norm, q/k/v/o [hidden][hidden], ffn_norm, gate/up [ffn][hidden], down [hidden][ffn]. */
    public record Block(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {}

    public static VisionWeights fromGguf(TensorSource src, VisionConfig c) {
        int patchCols = 3 * c.patchSize() * c.patchSize();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "v.blk." + i + ".";
            blocks.add(new Block(
                    vector(src, p + "ln1.weight", c.hidden()),
                    matrix(src, p + "attn_q.weight", c.hidden(), c.hidden()),
                    matrix(src, p + "attn_k.weight", c.hidden(), c.hidden()),
                    matrix(src, p + "attn_v.weight", c.hidden(), c.hidden()),
                    matrix(src, p + "attn_out.weight", c.hidden(), c.hidden()),
                    vector(src, p + "ln2.weight", c.hidden()),
                    matrix(src, p + "ffn_gate.weight", c.ffn(), c.hidden()),
                    matrix(src, p + "ffn_up.weight", c.ffn(), c.hidden()),
                    matrix(src, p + "ffn_down.weight", c.hidden(), c.ffn())));
        }
        int merged = c.hidden() * c.spatialMerge() * c.spatialMerge();
        return new VisionWeights(c,
                matrix(src, "v.patch_embd.weight", c.hidden(), patchCols),
                vector(src, "v.pre_ln.weight", c.hidden()),
                List.copyOf(blocks),
                vector(src, "mm.input_norm.weight", c.hidden()),
                matrix(src, "mm.patch_merger.weight", c.hidden(), merged),
                matrix(src, "mm.1.weight", c.projectionDim(), c.hidden()),
                matrix(src, "mm.2.weight", c.projectionDim(), c.projectionDim()));
    }

    private static TensorView tensor(TensorSource src, String name, long elements) {
        TensorView t = src.find(name).orElseThrow(() -> new ModelFileException(src.path(), -1,
                "vision tensor " + name + " is missing"));
        if (t.elementCount() != elements) {
            throw new ModelFileException(src.path(), -1, "vision tensor " + t + " should have " + elements + " elements");
        }
        return t;
    }

    /** A weight matrix [rows][cols] (any shape with that element count, e.g. the 4-D conv kernel). */
    static Matrix matrix(TensorSource src, String name, int rows, int cols) {
        TensorView t = tensor(src, name, (long) rows * cols);
        return Matrix.of(t.type(), rows, cols, t.data());
    }

    static float[] vector(TensorSource src, String name, int n) {
        TensorView t = tensor(src, name, n);
        float[] v = new float[n];
        Matrix.of(t.type(), 1, n, t.data()).dequantizeRow(0, v, 0);
        return v;
    }
}
