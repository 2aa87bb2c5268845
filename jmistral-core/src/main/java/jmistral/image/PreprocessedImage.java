package jmistral.image;

/**
 * An image ready for the vision encoder.
 *
 * @param grid   token grid and resized size (pixels = grid.resizedHeight() x grid.resizedWidth())
 * @param pixels normalized float32 values, shape [3][H][W] (CHW): index c*H*W + y*W + x,
 *               H = grid.resizedHeight(), W = grid.resizedWidth()
 */
public record PreprocessedImage(ImageGrid grid, float[] pixels) {
    public int height() { return grid.resizedHeight(); }

    public int width() { return grid.resizedWidth(); }
}
