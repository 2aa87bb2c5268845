package jmistral.model.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jmistral.chat.ContentPart;
import jmistral.chat.EncodedPrompt;
import jmistral.tokenizer.ImageConfig;
import jmistral.image.ImageGrid;
import jmistral.image.ImagePreprocessor;
import jmistral.image.RgbImage;

/**
 * Images to prompt embeddings: preprocess (mistral-common), encode, project, and place each image's
 * embeddings at the [IMG] positions of its block in the prompt. Every image is encoded on its own, so
 * images attend only within themselves and 2D positions restart per image (the references'
 * block-diagonal mask). [IMG_BREAK] / [IMG_END] keep their token embeddings (null rows).
 *
 * <p>The result is {@code BatchEntry.embeddings()}: [prompt.length][projectionDim], null rows for text.
 */
public final class ImagePipeline {
    private final VisionModel model;
    private final ImagePreprocessor preprocessor;
    private final ImageConfig imageConfig;
    private final ImageTokenIds ids;
    private final ImageEmbeddingCache cache;

    public ImagePipeline(VisionModel model, ImageTokenIds ids) {
        this(model, ImageConfig.MISTRAL_SMALL_3, ids);
    }

    public ImagePipeline(VisionModel model, ImageConfig imageConfig, ImageTokenIds ids) {
        this(model, imageConfig, ids, new ImageEmbeddingCache(ImageEmbeddingCache.DEFAULT_MAX_BYTES));
    }

    /** @param cache embeddings of images seen before (an image resent in a later turn is not encoded again) */
    public ImagePipeline(VisionModel model, ImageConfig imageConfig, ImageTokenIds ids, ImageEmbeddingCache cache) {
        VisionConfig c = model.config();
        if (c.patchSize() != imageConfig.patchSize() || c.spatialMerge() != imageConfig.spatialMergeSize()) {
            throw new IllegalArgumentException("vision tower (patch " + c.patchSize() + ", merge " + c.spatialMerge()
                    + ") does not match the tokenizer's image config " + imageConfig);
        }
        this.model = model;
        this.imageConfig = imageConfig;
        this.preprocessor = new ImagePreprocessor(imageConfig);
        this.ids = ids;
        this.cache = cache;
    }

    public ImageEmbeddingCache cache() {
        return cache;
    }

    /** An image and the index of the first token of its block in the prompt. */
    public record PlacedImage(int tokenOffset, RgbImage image) {}

    /** Token grid an image gets (the one place for that: {@link ImageGrid}). */
    public ImageGrid grid(RgbImage image) {
        return ImageGrid.forImage(image.width(), image.height(), imageConfig);
    }

    /**
     * @return [imgTokenCount][projectionDim], row-major over the image's token grid; shared with the
     *     cache, so callers must not write to it
     */
    public float[] embed(RgbImage image) {
        return cache.get(image, img -> model.embed(preprocessor.preprocess(img)));
    }

    /** Images in prompt order; their blocks are found by scanning for [IMG] runs. */
    public float[][] promptEmbeddings(int[] tokens, List<RgbImage> images) {
        List<PlacedImage> placed = new ArrayList<>();
        int t = 0;
        for (RgbImage image : images) {
            while (t < tokens.length && tokens[t] != ids.img()) t++;
            if (t == tokens.length) {
                throw new IllegalArgumentException("the prompt has " + placed.size() + " image block(s) but "
                        + images.size() + " images were given");
            }
            placed.add(new PlacedImage(t, image));
            t += grid(image).promptTokenCount();
        }
        while (t < tokens.length && tokens[t] != ids.img()) t++;
        if (t < tokens.length) {
            throw new IllegalArgumentException("the prompt has more image blocks than the " + images.size() + " images given");
        }
        return place(tokens, placed);
    }

    /**
     * An encoded chat prompt: each image slot's pixels come from {@code pixels} (e.g.
     * {@link jmistral.chat.MultimodalPrompt#pixels}); slots keep their own offsets.
     */
    public float[][] promptEmbeddings(EncodedPrompt prompt, Function<ContentPart.Image, RgbImage> pixels) {
        List<PlacedImage> placed = new ArrayList<>();
        for (EncodedPrompt.ImageSlot slot : prompt.images()) {
            RgbImage image = pixels.apply(slot.image());
            if (image == null) throw new IllegalArgumentException("no pixels for image " + slot.image().url());
            placed.add(new PlacedImage(slot.tokenOffset(), image));
        }
        return place(prompt.tokens(), placed);
    }

    /** Images at known offsets (an encoded prompt's image slots). */
    public float[][] place(int[] tokens, List<PlacedImage> images) {
        float[][] rows = new float[tokens.length][];
        for (int i = 0; i < images.size(); i++) {
            PlacedImage p = images.get(i);
            ImageGrid g = grid(p.image());
            checkBlock(tokens, p.tokenOffset(), g, i);
            float[] emb = embed(p.image());           // [g.imgTokenCount()][dim]
            int dim = model.config().projectionDim(), next = 0;
            for (int r = 0; r < g.tokenRows(); r++) {
                int rowStart = p.tokenOffset() + r * (g.tokenCols() + 1);
                for (int c = 0; c < g.tokenCols(); c++, next++) {
                    rows[rowStart + c] = java.util.Arrays.copyOfRange(emb, next * dim, (next + 1) * dim);
                }
            }
        }
        return rows;
    }

    /** The prompt must hold exactly this image's layout at offset. */
    private void checkBlock(int[] tokens, int offset, ImageGrid g, int index) {
        int end = offset + g.promptTokenCount();
        boolean ok = offset >= 0 && end <= tokens.length;
        for (int t = offset; ok && t < end; t++) {
            int col = (t - offset) % (g.tokenCols() + 1);
            int expected = col < g.tokenCols() ? ids.img() : t == end - 1 ? ids.imgEnd() : ids.imgBreak();
            ok = tokens[t] == expected;
        }
        if (!ok) {
            throw new IllegalArgumentException("image " + (index + 1) + " needs a block of " + g.tokenRows() + " rows of "
                    + g.tokenCols() + " [IMG] tokens (" + g.promptTokenCount() + " tokens) at prompt position " + offset
                    + ", but the prompt holds something else there");
        }
    }
}
