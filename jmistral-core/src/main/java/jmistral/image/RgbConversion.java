package jmistral.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Brings a decoded {@link BufferedImage} to 8-bit RGB the way Pillow + mistral-common
 * {@code _convert_to_rgb} do: RGB stays as is; any other mode is converted to RGBA and composited
 * on white ({@link WhiteBackground}); grayscale is replicated into R, G and B.
 *
 * <p>Raster samples are read directly, never through {@code BufferedImage.getRGB}: Java would
 * colour-manage gray (linear CS_GRAY to sRGB gamma) and embedded ICC profiles, whereas Pillow uses
 * the stored sample values. Sample depths follow Pillow's unpackers: 1/2/4-bit values are scaled up
 * (v * 255 / (2^bits - 1)), 16-bit values keep their high byte.
 */
final class RgbConversion {
    private RgbConversion() {}

    static RgbImage toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm instanceof IndexColorModel palette) {
            return fromPalette(image, palette);
        }
        int bands = image.getRaster().getNumBands();
        int space = cm.getColorSpace().getType();
        boolean alpha = cm.hasAlpha();
        boolean gray = space == ColorSpace.TYPE_GRAY && bands == (alpha ? 2 : 1);
        boolean rgb = space == ColorSpace.TYPE_RGB && bands == (alpha ? 4 : 3);
        if ((!gray && !rgb) || cm.isAlphaPremultiplied()) {
            return fromArgb(image);   // unusual layouts: let Java convert (e.g. premultiplied alpha)
        }
        return fromSamples(image, gray, alpha);
    }

    private static RgbImage fromSamples(BufferedImage image, boolean gray, boolean alpha) {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = image.getWidth(), h = image.getHeight(), bands = raster.getNumBands();
        int[] bits = new int[bands];
        for (int b = 0; b < bands; b++) {
            bits[b] = cm.getComponentSize(b);
        }
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    px[b] = to8Bit(row[x * bands + b], bits[b]);
                }
                int a = alpha ? px[bands - 1] : 255;
                int o = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    int v = gray ? px[0] : px[c];
                    out[o + c] = (byte) (alpha ? WhiteBackground.composite(v, a) : v);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage fromPalette(BufferedImage image, IndexColorModel palette) {
        Raster raster = image.getRaster();
        int w = image.getWidth(), h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x];
                int a = palette.getAlpha(i);
                int o = (y * w + x) * 3;
                out[o] = (byte) WhiteBackground.composite(palette.getRed(i), a);
                out[o + 1] = (byte) WhiteBackground.composite(palette.getGreen(i), a);
                out[o + 2] = (byte) WhiteBackground.composite(palette.getBlue(i), a);
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage fromArgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x], a = argb >>> 24, o = (y * w + x) * 3;
                out[o] = (byte) WhiteBackground.composite((argb >> 16) & 0xFF, a);
                out[o + 1] = (byte) WhiteBackground.composite((argb >> 8) & 0xFF, a);
                out[o + 2] = (byte) WhiteBackground.composite(argb & 0xFF, a);
            }
        }
        return new RgbImage(w, h, out);
    }

    static int to8Bit(int sample, int bits) {
        if (bits == 8) return sample;
        if (bits > 8) return sample >>> (bits - 8);
        return sample * 255 / ((1 << bits) - 1);
    }
}
