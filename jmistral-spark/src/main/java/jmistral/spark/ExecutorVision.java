package jmistral.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import jmistral.hub.ResolvedModel;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.model.vision.VisionModel;
import jmistral.tokenizer.ImageConfig;
import jmistral.tokenizer.Tekken;

/**
 * The vision tower of an executor's model, opened on the first row with an image and then shared by
 * every task of the JVM (mapped once, like the text weights). Where it comes from: the {@code mmproj}
 * param when set, else the mmproj GGUF beside a GGUF model, else the vision weights of a Hugging Face or
 * Mistral native folder. A tower that cannot be opened is remembered, so each image row gets the same
 * error without opening the file again. Thread-safe.
 */
final class ExecutorVision {
    private static final AtomicInteger LOADS = new AtomicInteger();

    private final ResolvedModel resolved;
    private final Tekken tekken;
    private final int textDim;
    private final Map<String, ImagePipeline> pipelines = new HashMap<>();   // by mmproj ("" = default)
    private final Map<String, RuntimeException> failures = new HashMap<>();

    ExecutorVision(ResolvedModel resolved, Tekken tekken, int textDim) {
        this.resolved = resolved;
        this.tekken = tekken;
        this.textDim = textDim;
    }

    /** Vision towers opened in this JVM (tests, monitoring). */
    static int loadCount() { return LOADS.get(); }

    /** The image pipeline of mmproj (null = the model's own); throws with a clear message when there is none. */
    synchronized ImagePipeline pipeline(String mmproj) {
        String key = mmproj == null ? "" : mmproj;
        ImagePipeline p = pipelines.get(key);
        if (p != null) return p;
        RuntimeException failed = failures.get(key);
        if (failed != null) throw failed;
        try {
            VisionModel vision = open(mmproj == null ? null : Path.of(mmproj));
            LOADS.incrementAndGet();
            ImageConfig config = tekken.imageConfig() != null ? tekken.imageConfig() : ImageConfig.MISTRAL_SMALL_3;
            p = new ImagePipeline(vision, config, ImageTokenIds.of(tekken));
            pipelines.put(key, p);
            return p;
        } catch (RuntimeException e) {
            failures.put(key, e);
            throw e;
        }
    }

    private VisionModel open(Path mmproj) {
        Path source = mmproj != null ? mmproj : resolved.mmproj().orElseGet(this::folderWithVision);
        if (source == null) {
            throw new IllegalArgumentException("images need the vision weights, and " + resolved.model() + " has none "
                    + (resolved.isGguf() ? "(no mmproj*.gguf file beside it)" : "(its config has no vision part)")
                    + ": set mmproj to the model's mmproj GGUF (a path every executor sees)");
        }
        if (!Files.exists(source)) throw new IllegalArgumentException("mmproj " + source + " does not exist on this executor");
        VisionModel vision = VisionModel.open(source);
        if (vision.config().projectionDim() != textDim) {
            vision.close();
            throw new IllegalArgumentException(source + ": this vision tower projects to " + vision.config().projectionDim()
                    + " values per image token, but the text model's hidden size is " + textDim
                    + ": it belongs to another model (set the matching mmproj)");
        }
        return vision;
    }

    /** The model folder when its config describes a vision tower, else null. */
    private Path folderWithVision() {
        if (resolved.isGguf()) return null;
        Path dir = Files.isDirectory(resolved.model()) ? resolved.model() : resolved.directory();
        return hasKey(dir.resolve("params.json"), "vision_encoder") || hasKey(dir.resolve("config.json"), "vision_config") ? dir : null;
    }

    private static boolean hasKey(Path json, String key) {
        if (!Files.isRegularFile(json)) return false;
        try {
            return new ObjectMapper().readTree(json.toFile()).hasNonNull(key);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json + ": cannot read JSON: " + e.getMessage(), e);
        }
    }
}
