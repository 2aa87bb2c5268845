package jmistral.model.vision;

import jmistral.image.RgbImage;

/**
 * A deterministic test picture: each channel a different formula of (x, y), so rows, columns and channels
 * all differ and a transposed or channel-swapped pixel shows up in a comparison.
 */
public final class FormulaImage {
    private FormulaImage() {
    }

    /** A {@code w x h} RGB image; pixel (x, y) = ((7x + 3y), (2x + 11y + 80), (x*x + y)) mod 256. */
    public static RgbImage of(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                px[(y * w + x) * 3] = (byte) ((7 * x + 3 * y) % 256);
                px[(y * w + x) * 3 + 1] = (byte) ((2 * x + 11 * y + 80) % 256);
                px[(y * w + x) * 3 + 2] = (byte) ((x * x + y) % 256);
            }
        return new RgbImage(w, h, px);
    }
}
