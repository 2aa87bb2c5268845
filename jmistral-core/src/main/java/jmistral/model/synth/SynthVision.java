package jmistral.model.synth;

import java.util.ArrayList;
import java.util.List;
import jmistral.model.RopeLayout;
import jmistral.model.vision.VisionConfig;
import jmistral.model.vision.VisionTensorNames;
import jmistral.model.vision.VisionTensorNames.Part;

/**
 * The tensors of a Pixtral vision tower + Mistral-3 projector of any size, from {@link WeightFormula}
 * (GGUF mmproj names are the formula names, as in the vision-a fixture), in any layout: GGUF and native
 * keep q/k interleaved, HF rows are permuted for rotate-half as the HF converter does.
 */
public final class SynthVision {
    private SynthVision() {}

    public static List<SynthTensor> tensors(VisionConfig c, long seed, VisionTensorNames layout) {
        WeightFormula f = new WeightFormula(seed, c.hidden());
        VisionTensorNames g = VisionTensorNames.GGUF;
        boolean hf = layout.rope() == RopeLayout.ROTATE_HALF;
        int d = c.hidden(), p = c.patchSize(), merged = d * c.spatialMerge() * c.spatialMerge();
        List<SynthTensor> out = new ArrayList<>();
        out.add(new SynthTensor(layout.patchEmbed(), new long[] {d, 3, p, p}, () -> f.matrix(g.patchEmbed(), d, 3 * p * p), false));
        out.add(norm(layout.preNorm(), g.preNorm(), d, f));
        for (int l = 0; l < c.layers(); l++) {
            for (Part part : Part.values()) {
                String src = g.layer(l, part), dst = layout.layer(l, part);
                switch (part) {
                    case ATTN_NORM, FFN_NORM -> out.add(norm(dst, src, d, f));
                    case Q, K -> out.add(matrix(dst, d, d, () -> hf
                            ? SynthModel.permuteForRotateHalf(f.matrix(src, d, d), c.heads(), c.headDim(), d) : f.matrix(src, d, d)));
                    case V, O -> out.add(matrix(dst, d, d, () -> f.matrix(src, d, d)));
                    case GATE, UP -> out.add(matrix(dst, c.ffn(), d, () -> f.matrix(src, c.ffn(), d)));
                    case DOWN -> out.add(matrix(dst, d, c.ffn(), () -> f.matrix(src, d, c.ffn())));
                }
            }
        }
        out.add(norm(layout.mmNorm(), g.mmNorm(), d, f));
        out.add(matrix(layout.merger(), d, merged, () -> f.matrix(g.merger(), d, merged)));
        out.add(matrix(layout.linear1(), c.projectionDim(), d, () -> f.matrix(g.linear1(), c.projectionDim(), d)));
        out.add(matrix(layout.linear2(), c.projectionDim(), c.projectionDim(),
                () -> f.matrix(g.linear2(), c.projectionDim(), c.projectionDim())));
        return out;
    }

    private static SynthTensor norm(String name, String formulaName, int n, WeightFormula f) {
        return new SynthTensor(name, new long[] {n}, () -> f.norm(formulaName, n), true);
    }

    private static SynthTensor matrix(String name, int rows, int cols, java.util.function.Supplier<float[]> data) {
        return new SynthTensor(name, new long[] {rows, cols}, data, false);
    }
}
