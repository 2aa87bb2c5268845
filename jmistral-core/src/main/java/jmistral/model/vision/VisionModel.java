package jmistral.model.vision;

import java.nio.file.Path;
import jmistral.gguf.GgufFile;
import jmistral.tensor.TensorSource;
import jmistral.vision.PreprocessedImage;

/**
 * Vision tower + projector as one unit: a preprocessed image in, one embedding per [IMG] token out.
 * Owns (and closes) the tensor source its weights are mapped from.
 */
public final class VisionModel implements AutoCloseable {
    private final VisionWeights weights;
    private final VisionEncoder encoder;
    private final VisionProjector projector;
    private final AutoCloseable owner;

    /** @param owner closed with the model (the mapped file), or null */
    public VisionModel(VisionWeights weights, AutoCloseable owner) {
        this.weights = weights;
        this.encoder = new VisionEncoder(weights);
        this.projector = new VisionProjector(weights);
        this.owner = owner;
    }

    /** Opens a llama.cpp {@code mmproj} GGUF file. */
    public static VisionModel openMmproj(Path file) {
        GgufFile gguf = GgufFile.open(file);
        try {
            return new VisionModel(VisionWeights.fromGguf(gguf, VisionConfig.fromGguf(gguf)), gguf);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    /** A vision tower found in any tensor source (GGUF mmproj, HF or native names), not owned. */
    public static VisionModel of(TensorSource source, VisionConfig config) {
        return new VisionModel(VisionWeights.load(source, config), null);
    }

    public VisionConfig config() { return weights.config(); }

    /** @return [imgTokenCount][projectionDim] row-major over the image's token grid */
    public float[] embed(PreprocessedImage image) {
        int rows = image.grid().patchRows(), cols = image.grid().patchCols();
        return projector.project(encoder.encode(image), rows, cols);
    }

    @Override
    public void close() {
        if (owner == null) return;
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the vision weights failed: " + e.getMessage(), e);
        }
    }
}
