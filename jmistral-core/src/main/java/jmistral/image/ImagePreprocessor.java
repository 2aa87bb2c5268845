package jmistral.image;

import jmistral.tokenizer.ImageConfig;
/**
 * Turns an RGB image into the encoder's input exactly like mistral-common {@code ImageEncoder}:
 * target size from {@link ImageGrid}, OpenCV INTER_CUBIC resize on float32 ({@link BicubicResize}),
 * {@code x / 255} in float32, then {@code (x - mean) / std} with the CLIP mean/std in float64, stored
 * as float32 CHW.
 */
public final class ImagePreprocessor {
    /** CLIP mean and std per RGB channel (mistral-common DATASET_MEAN / DATASET_STD). */
    static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    private final ImageConfig config;

    public ImagePreprocessor() {
        this(ImageConfig.MISTRAL_SMALL_3);
    }

    public ImagePreprocessor(ImageConfig config) {
        this.config = config;
    }

    /** Resizes and normalizes one image (see the class comment); the result is float32 CHW. */
    public PreprocessedImage preprocess(RgbImage image) {
        ImageGrid grid = ImageGrid.forImage(image.width(), image.height(), config);
        int w = grid.resizedWidth(), h = grid.resizedHeight();
        float[] hwc = BicubicResize.resize(image, w, h);   // [h][w][3], 0..255 scale
        float[] chw = new float[3 * h * w];
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float unit = hwc[p * 3 + c] / 255f;        // numpy: float32 array / 255.0 stays float32
                chw[c * plane + p] = (float) ((unit - MEAN[c]) / STD[c]);
            }
        }
        return new PreprocessedImage(grid, chw);
    }
}
