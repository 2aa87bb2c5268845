package jmistral.image;

/**
 * Composites a pixel with straight (non-premultiplied) alpha onto opaque white, with the integer
 * arithmetic of Pillow's {@code alpha_composite} as mistral-common uses it (paste RGBA onto a white
 * RGBA canvas, then convert to RGB).
 *
 * <p>For an opaque white destination Pillow's formula reduces to
 * {@code out = DIV255(255*(255-a) + c*a)}, with {@code DIV255(v) = ((v+128)>>8 + (v+128))>>8},
 * which is v/255 rounded to nearest. image_vectors.json records that this equals Pillow for all 65,536
 * (c, a) pairs.
 */
final class WhiteBackground {
    private WhiteBackground() {}

    /** Channel value c (0..255) with alpha a (0..255) over white. */
    static int composite(int c, int a) {
        int v = 255 * (255 - a) + c * a + 128;
        return ((v >> 8) + v) >> 8;
    }
}
