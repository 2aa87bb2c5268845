package jmistral.vision;

/**
 * The image settings of a Pixtral-style model (tekken.json {@code multimodal} block / GGUF
 * {@code clip.vision.*}).
 *
 * @param patchSize          side of one vision-encoder patch in pixels (14)
 * @param maxImageSize       longest side an image is scaled down to (1540)
 * @param spatialMergeSize   patches merged per side by the projector (2), so one [IMG] token covers
 *                           (patchSize*spatialMergeSize)^2 pixels
 */
public record VisionImageConfig(int patchSize, int maxImageSize, int spatialMergeSize) {
    public static final VisionImageConfig MISTRAL_SMALL_3_2 = new VisionImageConfig(14, 1540, 2);

    public VisionImageConfig {
        if (patchSize <= 0 || maxImageSize <= 0 || spatialMergeSize <= 0) {
            throw new IllegalArgumentException("vision image settings must be positive: patch "
                    + patchSize + ", max " + maxImageSize + ", merge " + spatialMergeSize);
        }
    }

    /** Side in pixels of the cell one [IMG] token covers (28). */
    public int tokenCellSize() { return patchSize * spatialMergeSize; }
}
