package jmistral.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.model.BatchEntry;
import jmistral.model.Checkpoint;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.SequenceCache;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.TextModel;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensors;
import jmistral.model.synth.SynthVision;
import jmistral.model.vision.FormulaImage;
import jmistral.model.vision.VisionConfig;
import jmistral.model.vision.VisionEncoder;
import jmistral.model.vision.VisionProjector;
import jmistral.model.vision.VisionWeights;
import jmistral.image.ImagePreprocessor;
import jmistral.image.PreprocessedImage;
import jmistral.model.vision.VisionTensorNames;
import jmistral.tensor.GgmlType;
import jmistral.image.ImageGrid;
import jmistral.image.RgbImage;

/**
 * Time to first token of an image prompt, split into vision encode and text prefill, on full-width
 * random weights: the Pixtral tower (hidden 1024, 16 heads, MLP 4096, projector to 5120) and the
 * Mistral Small text decoder (5120 wide, 32/8 heads of 128, SwiGLU 32768).
 * Layers can be cut to keep a run short on a shared CPU; per-layer time is then scaled to the real
 * depth (24 vision layers, 40 text layers): every layer costs the same. A 224x224 image is encoded
 * first, untimed, to compile the kernels.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmistral-core/target/classes:jmistral-core/target/test-classes:$(cat cp.txt) \
 *     jmistral.bench.VisionEncodeBench [width height] [visionLayers=24] [textLayers=1] [BF16|F16|F32]
 * </pre>
 */
public final class VisionEncodeBench {
    public static void main(String[] args) {
        int width = args.length > 1 ? Integer.parseInt(args[0]) : 1024, height = args.length > 1 ? Integer.parseInt(args[1]) : 768;
        int visionLayers = args.length > 2 ? Integer.parseInt(args[2]) : 24;
        int textLayers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        GgmlType type = GgmlType.valueOf(args.length > 4 ? args[4] : "BF16");

        VisionConfig vc = new VisionConfig(1024, visionLayers, 16, 4096, 14, 2, 5120, 1e-5f, 1e4);
        RgbImage image = FormulaImage.of(width, height);
        ImageGrid grid = ImageGrid.forImage(width, height);
        System.out.printf("image %dx%d -> %dx%d px, %d patches, %d [IMG] tokens, %d prompt tokens; weights %s, %d threads%n",
                width, height, grid.resizedWidth(), grid.resizedHeight(), grid.patchRows() * grid.patchCols(),
                grid.imgTokenCount(), grid.promptTokenCount(), type, jmistral.tensor.ComputePool.shared().threads());

        int[] prompt = imagePrompt(grid);
        float[][] embeddings = new float[prompt.length][];
        double vision24;
        try (SynthTensors src = new SynthTensors(SynthVision.tensors(vc, 1, VisionTensorNames.GGUF), type)) {
            VisionWeights w = VisionWeights.load(src, vc);
            // warm-up (not timed): one small image through the same code, so that a run with a few
            // layers, scaled to 24, measures compiled kernels rather than the JIT
            PreprocessedImage small = new ImagePreprocessor().preprocess(FormulaImage.of(224, 224));
            new VisionProjector(w).project(new VisionEncoder(w).encode(small), 16, 16);
            long t0 = System.nanoTime();
            PreprocessedImage pre = new ImagePreprocessor().preprocess(image);
            long t1 = System.nanoTime();
            float[] features = new VisionEncoder(w).encode(pre);
            long t2 = System.nanoTime();
            float[] projected = new VisionProjector(w).project(features, grid.patchRows(), grid.patchCols());
            long t3 = System.nanoTime();
            double prep = (t1 - t0) / 1e9, enc = (t2 - t1) / 1e9, proj = (t3 - t2) / 1e9;
            vision24 = prep + enc * 24.0 / visionLayers + proj;
            System.out.printf("preprocess %.2f s, encoder (%d layers) %.2f s, projector %.2f s -> full tower (24 layers) %.2f s%n",
                    prep, visionLayers, enc, proj, vision24);
            for (int t = 0, next = 0; t < prompt.length; t++) {
                if (prompt[t] == 10) embeddings[t] = Arrays.copyOfRange(projected, next * 5120, ++next * 5120);
            }
        }
        if (textLayers == 0) return;

        TextConfig tc = new TextConfig(5120, textLayers, 128, 32768, 32, 8, 1e-5, 1e9, 1024, prompt.length + 16);
        try (SynthTensors src = new SynthTensors(SynthModel.tensors(tc, 2, null, TensorNames.GGUF), type);
             TextModel text = new TextModel(Checkpoint.load(src, tc, TensorNames.GGUF), null);
             KvCache cache = text.createCache(prompt.length + 16, KvCacheType.F16);
             SequenceCache seq = cache.newSequence()) {
            long t0 = System.nanoTime();
            text.forward(List.of(new BatchEntry(seq, prompt, embeddings, false)));
            double textSeconds = (System.nanoTime() - t0) / 1e9;
            double text40 = textSeconds * 40.0 / textLayers;
            System.out.printf("text prefill of %d tokens, %d layers: %.2f s  (scaled to 40 layers: %.2f s)%n",
                    prompt.length, textLayers, textSeconds, text40);
            System.out.printf("vision share of time to first token: %.0f%% (%.1f s of %.1f s)%n",
                    100 * vision24 / (vision24 + text40), vision24, vision24 + text40);
        }
    }

    /** BOS [INST] image block "text" [/INST], with ids as in Tekken v11. */
    private static int[] imagePrompt(ImageGrid g) {
        List<Integer> t = new ArrayList<>(List.of(1, 3));
        for (int r = 0; r < g.tokenRows(); r++) {
            for (int c = 0; c < g.tokenCols(); c++) t.add(10);
            t.add(r == g.tokenRows() - 1 ? 13 : 12);
        }
        t.addAll(Arrays.asList(1010, 1011, 1012, 1013, 4));
        return t.stream().mapToInt(Integer::intValue).toArray();
    }
}
