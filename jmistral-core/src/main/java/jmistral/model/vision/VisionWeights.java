package jmistral.model.vision;

import java.util.ArrayList;
import java.util.List;
import jmistral.ModelFileException;
import jmistral.model.RopeLayout;
import jmistral.model.vision.VisionTensorNames.Part;
import jmistral.tensor.Matrix;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

/**
 * Vision tower + projector weights, used in place from a {@link TensorSource} in any layout
 * ({@link VisionTensorNames}). The q/k row order is not changed: {@link #rope()} tells the encoder
 * which dims RoPE pairs (interleaved for GGUF/native, rotate-half for HF), handled once here.
 *
 * @param rope            RoPE pairing of the q/k rows
 * @param patchEmbed      [hidden][3*patch*patch], columns in (channel, ky, kx) order
 * @param preNorm         ln_pre [hidden]
 * @param blocks          per layer
 * @param projectorNorm   mm.input_norm [hidden]
 * @param patchMerger     [hidden][4*hidden], columns in unfold order 4*ch + 2*ki + kj
 * @param linear1         [projectionDim][hidden]
 * @param linear2         [projectionDim][projectionDim]
 */
public record VisionWeights(VisionConfig config, RopeLayout rope, Matrix patchEmbed, float[] preNorm, List<Block> blocks,
                            float[] projectorNorm, Matrix patchMerger, Matrix linear1, Matrix linear2) {

    /** One encoder layer: attention_norm, q/k/v/o [hidden][hidden], ffn_norm, gate/up [ffn][hidden], down [hidden][ffn]. */
    public record Block(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {}

    /** GGUF mmproj names. */
    public static VisionWeights fromGguf(TensorSource src, VisionConfig c) {
        return load(src, c, VisionTensorNames.GGUF);
    }

    /** With the layout detected from the tensor names. */
    public static VisionWeights load(TensorSource src, VisionConfig c) {
        VisionTensorNames names = VisionTensorNames.detect(src);
        if (names == null) {
            throw new ModelFileException(src.path(), -1, "no vision tower found: looked for "
                    + VisionTensorNames.ALL.stream().map(VisionTensorNames::patchEmbed).toList());
        }
        return load(src, c, names);
    }

    /** With a known tensor layout. */
    public static VisionWeights load(TensorSource src, VisionConfig c, VisionTensorNames names) {
        int patchCols = 3 * c.patchSize() * c.patchSize(), d = c.hidden();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            int l = i;
            java.util.function.Function<Part, String> n = p -> names.layer(l, p);
            blocks.add(new Block(
                    vector(src, n.apply(Part.ATTN_NORM), d),
                    matrix(src, n.apply(Part.Q), d, d),
                    matrix(src, n.apply(Part.K), d, d),
                    matrix(src, n.apply(Part.V), d, d),
                    matrix(src, n.apply(Part.O), d, d),
                    vector(src, n.apply(Part.FFN_NORM), d),
                    matrix(src, n.apply(Part.GATE), c.ffn(), d),
                    matrix(src, n.apply(Part.UP), c.ffn(), d),
                    matrix(src, n.apply(Part.DOWN), d, c.ffn())));
        }
        int merged = d * c.spatialMerge() * c.spatialMerge();
        return new VisionWeights(c, names.rope(),
                matrix(src, names.patchEmbed(), d, patchCols),
                vector(src, names.preNorm(), d),
                List.copyOf(blocks),
                vector(src, names.mmNorm(), d),
                matrix(src, names.merger(), d, merged),
                matrix(src, names.linear1(), c.projectionDim(), d),
                matrix(src, names.linear2(), c.projectionDim(), c.projectionDim()));
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
