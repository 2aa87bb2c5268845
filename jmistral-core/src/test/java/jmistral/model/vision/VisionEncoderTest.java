package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import jmistral.gguf.GgufFile;
import jmistral.image.ImageDecoder;
import jmistral.image.ImagePreprocessor;
import jmistral.image.PreprocessedImage;
import jmistral.image.RgbImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast vision encoder + projector against {@link ScalarVisionReference} on the llama.cpp
 * formula mmproj fixture (fixtures/llamacpp/vision-a) and its formula images.
 */
class VisionEncoderTest {
    private static GgufFile gguf;
    private static VisionConfig config;
    private static VisionWeights weights;

    @BeforeAll
    static void open() throws URISyntaxException {
        Path p = Path.of(VisionEncoderTest.class.getResource("/fixtures/llamacpp/vision-a/tiny-a-mmproj.gguf").toURI());
        gguf = GgufFile.open(p);
        config = VisionConfig.fromGguf(gguf);
        weights = VisionWeights.fromGguf(gguf, config);
    }

    @AfterAll
    static void close() {
        gguf.close();
    }

    @Test
    void configFromMmproj() {
        assertEquals(new VisionConfig(64, 2, 4, 128, 14, 2, 64, 1e-5f, 1e4), config);
    }

    @Test
    void encoderAndProjectorMatchScalarReferenceOnFixtureImages() throws IOException {
        for (String name : new String[] {"img-56x224.png", "img-168x140.png", "img-112x84.png"}) {
            byte[] png;
            try (InputStream in = getClass().getResourceAsStream("/fixtures/llamacpp/vision-a/" + name)) {
                png = in.readAllBytes();
            }
            check(new ImageDecoder().decode(png, name), name);
        }
    }

    @Test
    void tiledAttentionOverManyKeyBlocks() {
        // 336x336 -> 24x24 = 576 patches: more than two key blocks of 256
        check(FormulaImage.of(336, 336), "336x336");
    }

    private void check(RgbImage image, String name) {
        PreprocessedImage pre = new ImagePreprocessor().preprocess(image);
        int rows = pre.height() / 14, cols = pre.width() / 14;
        float[] fast = new VisionEncoder(weights).encode(pre);
        ScalarVisionReference ref = new ScalarVisionReference(gguf, config);
        double[][] expected = ref.encode(pre.pixels(), pre.height(), pre.width());
        assertClose(expected, fast, 64, name + " encoder");

        float[] projected = new VisionProjector(weights).project(fast, rows, cols);
        double[][] expectedProj = ref.project(expected, rows, cols);
        assertEquals(expectedProj.length * 64, projected.length);
        assertClose(expectedProj, projected, 64, name + " projector");
    }

    /** Max abs difference within 1e-4 of the tensor's largest magnitude (f32 vs double). */
    private static void assertClose(double[][] expected, float[] actual, int width, String what) {
        double maxAbs = 0, maxDiff = 0;
        for (int t = 0; t < expected.length; t++)
            for (int i = 0; i < width; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(expected[t][i]));
                maxDiff = Math.max(maxDiff, Math.abs(expected[t][i] - actual[t * width + i]));
            }
        assertTrue(maxDiff <= 1e-4 * maxAbs, what + ": max diff " + maxDiff + " vs max magnitude " + maxAbs);
    }

    @Test
    void erfMatchesIndependentSeries() {
        for (double x = -8; x <= 8; x += 0.01) {
            double e = ScalarVisionReference.erf(x);
            assertEquals(e, Gelu.erf(x), 1e-12, "erf(" + x + ")");   // the series loses ~1e-13 near 3
        }
        assertEquals(0.8427007929497149, Gelu.erf(1), 1e-15);
        assertEquals(0.9953222650189527, Gelu.erf(2), 1e-15);
    }
}
