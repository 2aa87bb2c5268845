package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;
import jmistral.gguf.GgufFile;
import jmistral.model.RopeLayout;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.safetensors.SafetensorsDType;
import jmistral.tensor.TensorView;
import jmistral.image.ImagePreprocessor;
import jmistral.image.PreprocessedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same synthesized vision weights written as a llama.cpp mmproj GGUF, a Hugging Face folder (q/k
 * rows permuted for rotate-half) and a Mistral native folder give the same embeddings; and the synth
 * mmproj writer rebuilds llama.cpp's formula fixture file tensor for tensor.
 */
class VisionFormatsTest {
    /** head_dim 64 as in the real tower (2 heads of 64), so the HF permutation is the real one per head. */
    private static final VisionConfig CONFIG = new VisionConfig(128, 2, 2, 256, 14, 2, 96, 1e-5f, 1e4);

    @Test
    void sameWeightsInAllThreeFormatsGiveSameEmbeddings(@TempDir Path dir) throws IOException {
        Path gguf = dir.resolve("mmproj.gguf"), hf = dir.resolve("hf"), nat = dir.resolve("native");
        SynthVisionFiles.writeMmproj(gguf, CONFIG, 3, SynthVisionFiles.formulaImgBreak(3, 131072, 96));
        SynthVisionFiles.writeHf(hf, CONFIG, 3, SafetensorsDType.F32);
        SynthVisionFiles.writeNative(nat, CONFIG, 3, SafetensorsDType.F32);
        PreprocessedImage image = new ImagePreprocessor().preprocess(FormulaImage.of(84, 112));

        float[] reference;
        try (VisionModel m = VisionModel.open(gguf)) {
            assertEquals(CONFIG, m.config());
            reference = m.embed(image);
        }
        assertEquals(3 * 4 * 96, reference.length);
        try (VisionModel m = VisionModel.open(nat)) {
            assertEquals(CONFIG, m.config());
            // Same layout and order as GGUF, so equal up to the last bit the JIT may change: the Vector API
            // does not fix reduceLanes' summation order across interpreter, C1 and C2 code.
            assertClose(reference, m.embed(image), 1e-6, "native = GGUF (same layout, same order)");
        }
        try (VisionModel m = VisionModel.open(hf)) {
            assertEquals(CONFIG, m.config());
            assertClose(reference, m.embed(image), 1e-5, "HF (rotate-half RoPE on permuted q/k)");
        }
    }

    @Test
    void hfLayoutIsDetectedWithRotateHalfRope(@TempDir Path dir) throws IOException {
        SynthVisionFiles.writeHf(dir, CONFIG, 5, SafetensorsDType.BF16);
        try (VisionModel m = VisionModel.open(dir)) {
            assertEquals(CONFIG, m.config());
        }
        try (var src = jmistral.safetensors.SafetensorsModel.open(dir)) {
            assertEquals(VisionTensorNames.HF_LEGACY, VisionTensorNames.detect(src));
            assertEquals(RopeLayout.ROTATE_HALF, VisionWeights.load(src, CONFIG).rope());
        }
    }

    @Test
    void synthMmprojRebuildsTheLlamaCppFixture(@TempDir Path dir) throws IOException, URISyntaxException {
        Path fixture = Path.of(getClass().getResource("/fixtures/llamacpp/vision-a/tiny-a-mmproj.gguf").toURI());
        Path ours = dir.resolve("tiny-a-mmproj.gguf");
        try (GgufFile expected = GgufFile.open(fixture)) {
            VisionConfig c = VisionConfig.fromGguf(expected);
            SynthVisionFiles.writeMmproj(ours, c, 0, SynthVisionFiles.formulaImgBreak(0, 131072, c.projectionDim()));
            try (GgufFile actual = GgufFile.open(ours)) {
                assertEquals(c, VisionConfig.fromGguf(actual));
                assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
                for (TensorView e : expected.tensors().values()) {
                    TensorView a = actual.tensors().get(e.name());
                    assertArrayEquals(e.shape(), a.shape(), e.name());
                    assertEquals(e.type(), a.type(), e.name());
                    assertArrayEquals(e.data().toArray(ValueLayout.JAVA_BYTE), a.data().toArray(ValueLayout.JAVA_BYTE), e.name());
                }
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length);
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(maxDiff <= relative * maxAbs, what + ": max diff " + maxDiff + " vs max magnitude " + maxAbs);
    }
}
