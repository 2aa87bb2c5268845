package jmistral.image;

import java.util.Objects;

/**
 * An 8-bit RGB image, the form every decoded input is brought to (Pillow mode "RGB").
 *
 * @param width  columns
 * @param height rows
 * @param rgb    interleaved samples, shape [height][width][3] row-major: index (y*width + x)*3 + c
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new ImageInputException("image has zero size: " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, expected "
                    + width + "*" + height + "*3");
        }
    }

    /** Sample of channel c (0=R, 1=G, 2=B) at column x, row y, as 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
