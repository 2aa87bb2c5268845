package jmistral.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jmistral.hub.ResolvedModel;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.model.vision.VisionModel;
import jmistral.tokenizer.ImageConfig;
import jmistral.tokenizer.Tekken;

/**
 * The one place that finds and opens a model's vision tower: {@code mmproj} when given, else the mmproj
 * GGUF beside a GGUF model, else the vision weights of a Hugging Face folder (config.json with
 * vision_config) or a Mistral native folder (params.json with vision_encoder). Opened on the first image
 * and then shared; a tower that cannot be opened is remembered, so every image gets the same error without
 * opening the file again. Thread-safe.
 */
final class VisionTower implements AutoCloseable {
    private final ResolvedModel model;
    private final Path mmproj;
    private final Tekken tekken;
    private final int textDim;
    private VisionModel vision;            // guarded by this
    private ImagePipeline pipeline;        // guarded by this
    private RuntimeException failure;      // guarded by this
    private int opened;                    // guarded by this

    VisionTower(ResolvedModel model, Path mmproj, Tekken tekken, int textDim) {
        this.model = model;
        this.mmproj = mmproj;
        this.tekken = tekken;
        this.textDim = textDim;
    }

    /** Where the tower is (without opening it), or null when the model has none. */
    Path source() {
        return mmproj != null ? mmproj : model.mmproj().orElseGet(this::folderWithVision);
    }

    /** The image pipeline, opening the tower on first use; a clear error when there is none. */
    synchronized ImagePipeline pipeline() {
        if (pipeline != null) return pipeline;
        if (failure != null) throw failure;
        try {
            vision = open();
            opened++;
            ImageConfig config = tekken.imageConfig() != null ? tekken.imageConfig() : ImageConfig.MISTRAL_SMALL_3;
            pipeline = new ImagePipeline(vision, config, ImageTokenIds.of(tekken));
            return pipeline;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** Times the tower was opened (once at most). */
    synchronized int timesOpened() { return opened; }

    private VisionModel open() {
        Path source = source();
        if (source == null) {
            throw new IllegalArgumentException("images need the vision weights, and " + model.model() + " has none "
                    + (model.isGguf() ? "(no mmproj*.gguf file beside it)" : "(its config has no vision part)")
                    + ": pass --mmproj FILE (the model's mmproj GGUF, e.g. mmproj-...-f16.gguf)");
        }
        if (!Files.exists(source)) throw new IllegalArgumentException("mmproj " + source + " does not exist");
        VisionModel v = VisionModel.open(source);
        if (v.config().projectionDim() != textDim) {
            v.close();
            throw new IllegalArgumentException(source + ": this vision tower projects to " + v.config().projectionDim()
                    + " values per image token, but the text model's hidden size is " + textDim
                    + ": it belongs to another model (pass the matching --mmproj)");
        }
        return v;
    }

    /** The model folder when its config describes a vision tower, else null. */
    private Path folderWithVision() {
        if (model.isGguf()) return null;
        Path dir = Files.isDirectory(model.model()) ? model.model() : model.directory();
        return hasKey(dir.resolve("params.json"), "vision_encoder") || hasKey(dir.resolve("config.json"), "vision_config") ? dir : null;
    }

    private static boolean hasKey(Path json, String key) {
        if (!Files.isRegularFile(json)) return false;
        try {
            return new ObjectMapper().readTree(json.toFile()).hasNonNull(key);
        } catch (IOException e) {
            throw new IllegalArgumentException(json + ": cannot read JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (vision != null) vision.close();
        vision = null;
        pipeline = null;
    }
}
