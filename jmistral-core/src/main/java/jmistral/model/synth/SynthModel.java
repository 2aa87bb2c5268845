package jmistral.model.synth;

import jmistral.model.TensorNames;
import jmistral.model.TensorNames.LayerPart;
import jmistral.model.TextConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The tensors of a text decoder of any size, from {@link WeightFormula}, in any checkpoint layout:
 * GGUF names with interleaved q/k (as the formula defines them), native names (same values), or HF
 * names with q/k rows permuted for rotate-half RoPE as the HF converter does.
 */
public final class SynthModel {
    private SynthModel() {}

    /**
     * @param tokenBytes token bytes by id for the formula's zeroed output rows; null for plain random
     *                   weights (same formula, no rows zeroed)
     */
    public static List<SynthTensor> tensors(TextConfig c, long seed, IntFunction<byte[]> tokenBytes, TensorNames layout) {
        WeightFormula f = new WeightFormula(seed, c.dim());
        TensorNames g = TensorNames.GGUF;
        boolean hf = layout.rope() == jmistral.model.RopeLayout.ROTATE_HALF;
        int q = c.nHeads() * c.headDim(), kv = c.nKvHeads() * c.headDim();
        List<SynthTensor> out = new ArrayList<>();
        out.add(matrix(layout.embedding(), c.vocabSize(), c.dim(), () -> f.matrix(g.embedding(), c.vocabSize(), c.dim())));
        for (int l = 0; l < c.nLayers(); l++) {
            for (LayerPart p : LayerPart.values()) {
                String src = g.layer(l, p), dst = layout.layer(l, p);
                switch (p) {
                    case ATTN_NORM, FFN_NORM -> out.add(new SynthTensor(dst, new long[] {c.dim()}, () -> f.norm(src, c.dim()), true));
                    case Q -> out.add(matrix(dst, q, c.dim(), () -> hfRows(hf, f.matrix(src, q, c.dim()), c.nHeads(), c.headDim(), c.dim())));
                    case K -> out.add(matrix(dst, kv, c.dim(), () -> hfRows(hf, f.matrix(src, kv, c.dim()), c.nKvHeads(), c.headDim(), c.dim())));
                    case V -> out.add(matrix(dst, kv, c.dim(), () -> f.matrix(src, kv, c.dim())));
                    case O -> out.add(matrix(dst, c.dim(), q, () -> f.matrix(src, c.dim(), q)));
                    case GATE, UP -> out.add(matrix(dst, c.hiddenDim(), c.dim(), () -> f.matrix(src, c.hiddenDim(), c.dim())));
                    case DOWN -> out.add(matrix(dst, c.dim(), c.hiddenDim(), () -> f.matrix(src, c.dim(), c.hiddenDim())));
                }
            }
        }
        out.add(new SynthTensor(layout.finalNorm(), new long[] {c.dim()}, () -> f.norm(g.finalNorm(), c.dim()), true));
        out.add(matrix(layout.output(), c.vocabSize(), c.dim(), () -> tokenBytes == null
                ? f.matrix(g.output(), c.vocabSize(), c.dim()) : f.output(c.vocabSize(), tokenBytes)));
        return out;
    }

    private static SynthTensor matrix(String name, int rows, int cols, java.util.function.Supplier<float[]> data) {
        return new SynthTensor(name, new long[] {rows, cols}, data, false);
    }

    private static float[] hfRows(boolean hf, float[] w, int heads, int headDim, int cols) {
        return hf ? permuteForRotateHalf(w, heads, headDim, cols) : w;
    }

    /**
     * The HF converter's q/k row permutation (model-arch.md 5): inside each head,
     * hf_row[c*(hd/2) + i] = interleaved_row[2i + c] for c in {0, 1}. w: [heads*headDim][cols].
     */
    public static float[] permuteForRotateHalf(float[] w, int heads, int headDim, int cols) {
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int c = 0; c < 2; c++) {
                    int dst = h * headDim + c * half + i, src = h * headDim + 2 * i + c;
                    System.arraycopy(w, src * cols, out, dst * cols, cols);
                }
            }
        }
        return out;
    }
}
