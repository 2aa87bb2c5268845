package jmistral.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Preprocessing against mistral-common 1.11.7 (Pillow 9.4.0, OpenCV 4.6.0): image_vectors.json in
 * test resources. Floats are compared within 1e-5 relative (OpenCV builds differ in the last bits).
 */
class ImageVectorsTest {
    private static final double REL = 1e-5;
    private static JsonNode vectors;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ImageVectorsTest.class.getResourceAsStream("/data/mistral-small-3.2/image_vectors.json")) {
            vectors = new ObjectMapper().readTree(in);
        }
    }

    private static RgbImage imageFor(JsonNode c) {
        int w = c.get("width").asInt(), h = c.get("height").asInt();
        return c.get("mode").asText().equals("RGBA")
                ? RgbConversion.toRgb(SyntheticImages.rgba(w, h))
                : SyntheticImages.rgb(w, h);
    }

    @Test
    void gridsMatchEveryCase() {
        for (JsonNode c : vectors.get("cases")) {
            String name = c.get("width") + "x" + c.get("height");
            ImageGrid grid = ImageGrid.forImage(c.get("width").asInt(), c.get("height").asInt());
            assertEquals(c.get("w_tokens").asInt(), grid.tokenCols(), name);
            assertEquals(c.get("h_tokens").asInt(), grid.tokenRows(), name);
            assertEquals(c.get("num_tokens").asInt(), grid.promptTokenCount(), name);
            JsonNode shape = c.get("processed_shape_CHW");
            assertEquals(shape.get(1).asInt(), grid.resizedHeight(), name);
            assertEquals(shape.get(2).asInt(), grid.resizedWidth(), name);
            assertEquals(2 * grid.tokenRows(), grid.patchRows(), name);
        }
    }

    @Test
    void processedTensorsMatchSumsAndSampledValues() throws Exception {
        ImagePreprocessor pre = new ImagePreprocessor();
        int bitExact = 0, withHash = 0;
        for (JsonNode c : vectors.get("cases")) {
            String name = c.get("width") + "x" + c.get("height") + " " + c.get("mode").asText();
            PreprocessedImage p = pre.preprocess(imageFor(c));
            float[] v = p.pixels();
            int h = p.height(), w = p.width();
            assertEquals(3 * h * w, v.length, name);
            double sum = 0, abs = 0;
            for (float f : v) { sum += f; abs += Math.abs(f); }
            assertClose(c.get("sum").asDouble(), sum, abs * 1e-6, name + " sum");
            assertClose(c.get("abs_sum").asDouble(), abs, abs * 1e-6, name + " abs_sum");
            JsonNode first = c.get("first_values_c0_row0");
            for (int i = 0; i < first.size(); i++) {
                assertRel(first.get(i).asDouble(), v[i], name + " c0 row0 [" + i + "]");
            }
            JsonNode last4 = c.get("values_c2_lastrow_last4");
            for (int i = 0; i < 4; i++) {
                assertRel(last4.get(i).asDouble(), v[v.length - 4 + i], name + " c2 last row [" + i + "]");
            }
            if (c.has("processed_float32_sha256_of_le_bytes")) {
                withHash++;
                if (sha256(v).equals(c.get("processed_float32_sha256_of_le_bytes").asText())) bitExact++;
            }
        }
        System.out.println("image vectors: " + bitExact + " of " + withHash + " processed tensors bit-identical to OpenCV 4.6.0");
    }

    @Test
    void fullTensorsMatchResizeAndNormalize() {
        for (JsonNode t : vectors.get("full_tensors")) {
            int w = t.get("width").asInt(), h = t.get("height").asInt();
            RgbImage img = t.get("mode").asText().equals("RGBA")
                    ? RgbConversion.toRgb(SyntheticImages.rgba(w, h)) : SyntheticImages.rgb(w, h);
            int tw = t.get("target_size_wh").get(0).asInt(), th = t.get("target_size_wh").get(1).asInt();
            ImageGrid grid = ImageGrid.forImage(w, h);
            assertEquals(tw, grid.resizedWidth());
            assertEquals(th, grid.resizedHeight());

            float[] resized = BicubicResize.resize(img, tw, th);
            JsonNode er = t.get("resized_hwc_float32_before_normalize");
            assertEquals(er.size(), resized.length);
            for (int i = 0; i < resized.length; i++) {
                assertRel(er.get(i).asDouble(), resized[i], w + "x" + h + " resized[" + i + "]");
            }
            float[] processed = new ImagePreprocessor().preprocess(img).pixels();
            JsonNode ep = t.get("processed_chw_float64");
            assertEquals(ep.size(), processed.length);
            for (int i = 0; i < processed.length; i++) {
                assertRel(ep.get(i).asDouble(), processed[i], w + "x" + h + " processed[" + i + "]");
            }
        }
    }

    @Test
    void alphaCompositeMatchesPillow() throws Exception {
        JsonNode c = null;
        for (JsonNode k : vectors.get("cases")) if (k.get("mode").asText().equals("RGBA")) c = k;
        RgbImage rgb = RgbConversion.toRgb(SyntheticImages.rgba(c.get("width").asInt(), c.get("height").asInt()));
        JsonNode px = c.get("rgb_after_alpha_composite_row0_first6px");
        for (int x = 0; x < px.size(); x++) {
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(px.get(x).get(ch).asInt(), rgb.sample(x, 0, ch), "pixel " + x + " channel " + ch);
            }
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rgb.rgb()));
        assertEquals(c.get("rgb_after_alpha_composite_sha256").asText(), sha);
    }

    private static String sha256(float[] v) throws Exception {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bb.array()));
    }

    private static void assertRel(double expected, double actual, String what) {
        assertClose(expected, actual, REL * Math.max(1.0, Math.abs(expected)), what);
    }

    private static void assertClose(double expected, double actual, double tol, String what) {
        assertTrue(Math.abs(expected - actual) <= tol,
                what + ": expected " + expected + " but was " + actual + " (tolerance " + tol + ")");
    }
}
