package jmistral.chat;

import jmistral.tokenizer.ImageConfig;
import jmistral.image.ImageGrid;
import jmistral.tokenizer.IntList;

/**
 * How many image tokens an image gets (mistral-common {@code ImageEncoder}): images larger than
 * {@code maxImageSize} on a side are scaled down keeping the aspect ratio (Python round, half to even),
 * then cut into cells of {@code patch * merge} (28) pixels: {@code cols x rows} [IMG] tokens, each row
 * ended by [IMG_BREAK], the last one by [IMG_END]. The vision encoder resizes the image to exactly
 * {@code resizedWidth x resizedHeight}.
 */
public record ImageTokenLayout(int cols, int rows, int resizedWidth, int resizedHeight) {

    /** The grid comes from {@link ImageGrid}, the one place for target size and token grid maths. */
    public static ImageTokenLayout of(int width, int height, ImageConfig cfg) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        ImageGrid g = ImageGrid.forImage(width, height, cfg);
        return new ImageTokenLayout(g.tokenCols(), g.tokenRows(), g.resizedWidth(), g.resizedHeight());
    }

    /** Number of tokens: (cols + 1) per row. */
    public int tokenCount() { return (cols + 1) * rows; }

    /** Appends the image tokens. */
    public void appendTo(IntList out, int img, int imgBreak, int imgEnd) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out.add(img);
            out.add(r == rows - 1 ? imgEnd : imgBreak);
        }
    }
}
