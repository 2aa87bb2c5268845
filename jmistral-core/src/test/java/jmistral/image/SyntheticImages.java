package jmistral.image;

import java.awt.image.BufferedImage;

/** The formula images image_vectors.json was generated from (see its synthetic_*_formula keys). */
final class SyntheticImages {
    private SyntheticImages() {}

    static int r(int x, int y) { return (7 * x + 13 * y) % 256; }
    static int g(int x, int y) { return (3 * x + 5 * y + 17) % 256; }
    static int b(int x, int y) { return (11 * x + 17 * y + 101) % 256; }
    static int a(int x, int y) { return (37 * x + 91 * y) % 256; }

    static RgbImage rgb(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) r(x, y);
                px[o + 1] = (byte) g(x, y);
                px[o + 2] = (byte) b(x, y);
            }
        }
        return new RgbImage(w, h, px);
    }

    /** Non-premultiplied ARGB image with the RGBA formula. */
    static BufferedImage rgba(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (a(x, y) << 24) | (r(x, y) << 16) | (g(x, y) << 8) | b(x, y));
            }
        }
        return img;
    }

    /** Opaque RGB BufferedImage with the RGB formula. */
    static BufferedImage rgbBuffered(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (r(x, y) << 16) | (g(x, y) << 8) | b(x, y));
            }
        }
        return img;
    }
}
