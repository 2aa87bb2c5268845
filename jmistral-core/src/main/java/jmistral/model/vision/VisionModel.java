package jmistral.model.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jmistral.ModelFileException;
import jmistral.safetensors.SafetensorsModel;
import jmistral.gguf.GgufFile;
import jmistral.tensor.TensorSource;
import jmistral.image.PreprocessedImage;

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

    /**
     * Opens a vision tower where users have one: a llama.cpp mmproj GGUF file, a Hugging Face folder
     * (config.json with vision_config + safetensors) or a Mistral native folder (params.json with
     * vision_encoder + consolidated.safetensors).
     */
    public static VisionModel open(Path path) {
        if (Files.isRegularFile(path)) return openMmproj(path);
        Path hf = path.resolve("config.json"), params = path.resolve("params.json");
        VisionConfig config;
        if (Files.isRegularFile(params) && Files.isRegularFile(path.resolve(SafetensorsModel.CONSOLIDATED))) {
            config = VisionConfig.fromParams(readJson(params), params);
        } else if (Files.isRegularFile(hf)) {
            config = VisionConfig.fromHfConfig(readJson(hf), hf);
        } else {
            throw new ModelFileException(path, -1, "no vision tower here: expected an mmproj GGUF file, or a folder with "
                    + "config.json (Hugging Face) or params.json + consolidated.safetensors (Mistral native)");
        }
        SafetensorsModel source = SafetensorsModel.open(path);
        try {
            return new VisionModel(VisionWeights.load(source, config), source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFileException(file, -1, "cannot read JSON: " + e.getMessage(), e);
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
