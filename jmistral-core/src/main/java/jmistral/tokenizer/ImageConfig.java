package jmistral.tokenizer;

/**
 * The image block of {@code tekken.json} ({@code "multimodal"} up to v11, {@code "image"} later).
 *
 * @param patchSize        pixels per ViT patch side (14)
 * @param maxImageSize     longest allowed image side in pixels before downscaling (1540)
 * @param spatialMergeSize patches merged per side into one image token (2), so one [IMG] per 28x28 px
 */
public record ImageConfig(int patchSize, int maxImageSize, int spatialMergeSize) {

    /** Mistral Small 3.1 / 3.2 (Pixtral-style vision encoder). */
    public static final ImageConfig MISTRAL_SMALL_3 = new ImageConfig(14, 1540, 2);

    public ImageConfig {
        if (patchSize <= 0 || maxImageSize <= 0 || spatialMergeSize <= 0)
            throw new IllegalArgumentException("image config values must be positive: " + patchSize + ", "
                    + maxImageSize + ", " + spatialMergeSize);
    }

    /** Pixels per image token side: patch size times spatial merge (28). */
    public int pixelsPerToken() { return patchSize * spatialMergeSize; }
}
