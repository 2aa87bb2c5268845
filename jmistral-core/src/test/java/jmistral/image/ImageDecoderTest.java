package jmistral.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Every supported format, decoded to the pixels Pillow + mistral-common would give. */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder();

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/image/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void assertFormulaRgb(RgbImage img, int w, int h) {
        assertEquals(w, img.width());
        assertEquals(h, img.height());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertEquals(SyntheticImages.r(x, y), img.sample(x, y, 0), "R at " + x + "," + y);
                assertEquals(SyntheticImages.g(x, y), img.sample(x, y, 1), "G at " + x + "," + y);
                assertEquals(SyntheticImages.b(x, y), img.sample(x, y, 2), "B at " + x + "," + y);
            }
        }
    }

    /** The RGBA formula over white, by the hand-written Pillow formula DIV255(255*(255-a) + c*a). */
    private static void assertFormulaOnWhite(RgbImage img, int w, int h) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = SyntheticImages.a(x, y);
                int[] c = {SyntheticImages.r(x, y), SyntheticImages.g(x, y), SyntheticImages.b(x, y)};
                for (int ch = 0; ch < 3; ch++) {
                    int v = 255 * (255 - a) + c[ch] * a;
                    int expected = (((v + 128) >> 8) + (v + 128)) >> 8;
                    assertEquals(expected, img.sample(x, y, ch), "channel " + ch + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void pngRgbIsExact() throws IOException {
        assertFormulaRgb(decoder.decode(encode(SyntheticImages.rgbBuffered(13, 9), "png"), "rgb.png"), 13, 9);
    }

    @Test
    void bmpIsExact() throws IOException {
        BufferedImage bgr = new BufferedImage(13, 9, BufferedImage.TYPE_3BYTE_BGR);
        bgr.getGraphics().drawImage(SyntheticImages.rgbBuffered(13, 9), 0, 0, null);
        assertFormulaRgb(decoder.decode(encode(bgr, "bmp"), "rgb.bmp"), 13, 9);
    }

    @Test
    void pngRgbaIsCompositedOnWhite() throws IOException {
        assertFormulaOnWhite(decoder.decode(encode(SyntheticImages.rgba(45, 33), "png"), "rgba.png"), 45, 33);
    }

    @Test
    void pillowCompositeSpotValues() {
        // Hand-computed: v = 255*(255-a) + c*a; (((v+128)>>8) + v+128) >> 8
        assertEquals(255, WhiteBackground.composite(0, 0));      // fully transparent -> white
        assertEquals(17, WhiteBackground.composite(17, 255));    // opaque keeps the colour
        assertEquals(128, WhiteBackground.composite(0, 127));    // 255*128 = 32640 -> 128
        assertEquals(127, WhiteBackground.composite(0, 128));    // 255*127 = 32385 -> 127
        assertEquals(219, WhiteBackground.composite(7, 37));     // 255*218 + 259 = 55849 -> 219.0196 -> 219
    }

    @Test
    void grayscaleIsReplicatedWithoutGammaConversion() throws IOException {
        BufferedImage gray = new BufferedImage(16, 4, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = gray.getRaster();
        for (int x = 0; x < 16; x++) for (int y = 0; y < 4; y++) r.setSample(x, y, 0, x * 16 + y);
        RgbImage img = decoder.decode(encode(gray, "png"), "gray.png");
        for (int x = 0; x < 16; x++) {
            for (int c = 0; c < 3; c++) assertEquals(x * 16 + 3, img.sample(x, 3, c));
        }
    }

    @Test
    void grayWithAlphaIsCompositedOnWhite() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(4, 1);
        int[][] la = {{0, 0}, {100, 255}, {100, 128}, {40, 37}};
        for (int x = 0; x < 4; x++) raster.setPixel(x, 0, la[x]);
        BufferedImage image = new BufferedImage(cm, raster, false, null);
        RgbImage img = decoder.decode(encode(image, "png"), "la.png");
        int[] expected = {255, 100, 177, 224};   // DIV255(255*(255-a) + l*a) of 65025, 25500, 45185, 57070
        for (int x = 0; x < 4; x++) assertEquals(expected[x], img.sample(x, 0, 1), "pixel " + x);
    }

    @Test
    void paletteWithTransparencyIsCompositedOnWhite() throws IOException {
        byte[] red = {(byte) 255, 0, 10}, green = {0, (byte) 255, 20}, blue = {0, 0, 30}, alpha = {(byte) 255, (byte) 255, 64};
        IndexColorModel palette = new IndexColorModel(8, 3, red, green, blue, alpha);
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int x = 0; x < 3; x++) image.getRaster().setSample(x, 0, 0, x);
        RgbImage img = decoder.decode(encode(image, "png"), "palette.png");
        assertEquals(255, img.sample(0, 0, 0));
        assertEquals(0, img.sample(0, 0, 1));
        assertEquals(255, img.sample(1, 0, 1));
        // index 2: (10,20,30) at alpha 64: DIV255(255*191 + c*64)
        assertEquals(194, img.sample(2, 0, 0));  // 48705+640=49345 -> 193.51 -> 194
        assertEquals(196, img.sample(2, 0, 1));  // 48705+1280=49985 -> 196.02 -> 196
        assertEquals(199, img.sample(2, 0, 2));  // 48705+1920=50625 -> 198.53 -> 199
    }

    @Test
    void jpegDecodesCloseToSource() throws IOException {
        BufferedImage flat = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 24; x++) flat.setRGB(x, y, 0xC86432);
        RgbImage img = decoder.decode(encode(flat, "jpg"), "flat.jpg");
        assertEquals(24, img.width());
        assertEquals(16, img.height());
        assertNear(new int[] {200, 100, 50}, img, 12, 8, 3);
    }

    @Test
    void webpLosslessIsExact() throws IOException {
        assertFormulaRgb(decoder.decode(resource("rgb_formula_12x8_lossless.webp"), "rgb.webp"), 12, 8);
    }

    @Test
    void webpLosslessWithAlphaIsCompositedOnWhite() throws IOException {
        RgbImage img = decoder.decode(resource("rgba_formula_12x8_lossless.webp"), "rgba.webp");
        assertEquals(12, img.width());
        assertFormulaOnWhite(img, 12, 8);
    }

    @Test
    void webpLossyDecodes() throws IOException {
        RgbImage img = decoder.decode(resource("flat_200_100_50_lossy.webp"), "flat.webp");
        assertEquals(40, img.width());
        assertEquals(24, img.height());
        assertNear(new int[] {200, 100, 50}, img, 20, 12, 4);
    }

    @Test
    void gifGivesTheFirstFrame() throws IOException {
        RgbImage img = decoder.decode(resource("two_frames_red_blue.gif"), "anim.gif");
        assertEquals(6, img.width());
        assertEquals(4, img.height());
        assertNear(new int[] {255, 0, 0}, img, 3, 2, 0);
    }

    @Test
    void gifTransparencyBecomesWhite() throws IOException {
        RgbImage img = decoder.decode(resource("red_left_transparent_right.gif"), "t.gif");
        assertNear(new int[] {255, 0, 0}, img, 1, 1, 0);
        assertNear(new int[] {255, 255, 255}, img, 4, 1, 0);
    }

    /** Quadrant colours of the stored fixture: TL red, TR green, BL blue, BR yellow. */
    private static final int[][] QUADRANT = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}};
    private static final int TL = 0, TR = 1, BL = 2, BR = 3;
    /**
     * EXIF spec: for orientation N, which stored corner is shown at the displayed top-left and
     * top-right (index N-1).
     */
    private static final int[] SHOWN_TOP_LEFT = {TL, TR, BR, BL, TL, BL, BR, TR};
    private static final int[] SHOWN_TOP_RIGHT = {TR, TL, BL, BR, BL, TL, TR, BR};

    @Test
    void jpegExifOrientationIsApplied() throws IOException {
        for (int o = 1; o <= 8; o++) {
            byte[] jpeg = resource("quad_orientation_" + o + ".jpg");
            assertEquals(o, ExifOrientation.readFromJpeg(jpeg));
            RgbImage img = decoder.decode(jpeg, "orientation " + o);
            boolean swapped = o >= 5;
            assertEquals(swapped ? 16 : 32, img.width(), "width for orientation " + o);
            assertEquals(swapped ? 32 : 16, img.height(), "height for orientation " + o);
            assertNear(QUADRANT[SHOWN_TOP_LEFT[o - 1]], img, 2, 2, 8);
            assertNear(QUADRANT[SHOWN_TOP_RIGHT[o - 1]], img, img.width() - 3, 2, 8);

            RgbImage stored = decoder.withExifOrientation(false).decode(jpeg, "orientation " + o);
            assertEquals(32, stored.width());
            assertNear(QUADRANT[TL], stored, 2, 2, 8);
        }
    }

    @Test
    void exifParserSurvivesGarbage() {
        assertEquals(1, ExifOrientation.readFromJpeg(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0, 40, 'E', 'x'}));
        assertEquals(1, ExifOrientation.readFromJpeg(new byte[0]));
    }

    private static void assertNear(int[] rgb, RgbImage img, int x, int y, int tolerance) {
        for (int c = 0; c < 3; c++) {
            int v = img.sample(x, y, c);
            assertTrue(Math.abs(v - rgb[c]) <= tolerance,
                    "channel " + c + " at " + x + "," + y + ": expected ~" + rgb[c] + " but was " + v);
        }
    }
}
