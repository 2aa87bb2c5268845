package jmistral.image;

import jmistral.tokenizer.ImageConfig;
/**
 * Where an image of a given size ends up: the pixel size it is resized to and its grid of image
 * tokens. THE one place that computes this (preprocessing, prompt token layout and PDF token costs
 * all ask here), following mistral-common {@code ImageEncoder._image_to_num_tokens}:
 *
 * <pre>
 *   ratio = max(w / maxSize, h / maxSize)            (double, like Python)
 *   if ratio > 1: w = round(w / ratio), h = round(h / ratio)   (Python round = half to even)
 *   tokenCols = (w - 1) / 28 + 1, tokenRows = (h - 1) / 28 + 1   (28 = patch 14 * merge 2)
 *   resized size = tokenCols*28 x tokenRows*28       (each side independently; slight aspect change)
 * </pre>
 *
 * @param tokenCols [IMG] tokens per row of the prompt = merged patches across
 * @param tokenRows rows of [IMG] tokens = merged patches down
 * @param config    patch / merge / max-size settings used
 */
public record ImageGrid(int tokenCols, int tokenRows, ImageConfig config) {

    /** Grid for an image of {@code width x height} pixels under the Mistral Small 3.2 settings. */
    public static ImageGrid forImage(int width, int height) {
        return forImage(width, height, ImageConfig.MISTRAL_SMALL_3);
    }

    public static ImageGrid forImage(int width, int height, ImageConfig config) {
        if (width <= 0 || height <= 0) {
            throw new ImageInputException("image has zero size: " + width + "x" + height);
        }
        double w = width, h = height;
        double ratio = Math.max(w / config.maxImageSize(), h / config.maxImageSize());
        if (ratio > 1) {
            w = Math.rint(w / ratio);   // Math.rint rounds half to even, like Python's round()
            h = Math.rint(h / ratio);
        }
        int cell = config.pixelsPerToken();
        int cols = ((int) w - 1) / cell + 1;
        int rows = ((int) h - 1) / cell + 1;
        return new ImageGrid(cols, rows, config);
    }

    /** Width in pixels the image is resized to (a multiple of 28). */
    public int resizedWidth() { return tokenCols * config.pixelsPerToken(); }

    /** Height in pixels the image is resized to (a multiple of 28). */
    public int resizedHeight() { return tokenRows * config.pixelsPerToken(); }

    /** Patches across (14-pixel patches seen by the vision encoder) = 2 * tokenCols. */
    public int patchCols() { return resizedWidth() / config.patchSize(); }

    /** Patches down = 2 * tokenRows. */
    public int patchRows() { return resizedHeight() / config.patchSize(); }

    /** Number of [IMG] tokens, the projector's output rows = tokenCols * tokenRows. */
    public int imgTokenCount() { return tokenCols * tokenRows; }

    /**
     * Prompt tokens the image costs: {@code ([IMG] x cols + [IMG_BREAK]) x rows} with the last
     * [IMG_BREAK] replaced by [IMG_END], so (cols + 1) * rows.
     */
    public int promptTokenCount() { return (tokenCols + 1) * tokenRows; }
}
