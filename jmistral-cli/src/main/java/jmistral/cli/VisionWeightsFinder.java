package jmistral.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jmistral.hub.ResolvedModel;
import jmistral.model.vision.VisionModel;

/**
 * Finds and opens the vision tower for images: {@code --mmproj FILE} when given, else the mmproj GGUF
 * beside a GGUF model (ResolvedModel.mmproj), else the vision weights of a Hugging Face folder
 * (config.json with vision_config) or a Mistral native folder (params.json with vision_encoder).
 */
final class VisionWeightsFinder {

    private VisionWeightsFinder() {
    }

    /** @param textDim the text model's hidden size, which the projector must output */
    static VisionModel open(ResolvedModel model, Path mmproj, int textDim) {
        Path source = mmproj != null ? mmproj : model.mmproj().orElseGet(() -> folderWithVision(model));
        if (source == null) {
            throw new IllegalArgumentException("images need the vision weights, and " + model.model() + " has none "
                    + (model.isGguf() ? "(no mmproj*.gguf file beside it)" : "(its config has no vision part)")
                    + ": pass --mmproj FILE (the model's mmproj GGUF, e.g. mmproj-...-f16.gguf)");
        }
        VisionModel vision = VisionModel.open(source);
        if (vision.config().projectionDim() != textDim) {
            vision.close();
            throw new IllegalArgumentException(source + ": this vision tower projects to " + vision.config().projectionDim()
                    + " values per image token, but the text model's hidden size is " + textDim
                    + ": it belongs to another model (pass the matching --mmproj)");
        }
        return vision;
    }

    /** The model folder when its config describes a vision tower, else null. */
    private static Path folderWithVision(ResolvedModel model) {
        if (model.isGguf()) return null;
        Path dir = Files.isDirectory(model.model()) ? model.model() : model.directory();
        if (hasKey(dir.resolve("params.json"), "vision_encoder") || hasKey(dir.resolve("config.json"), "vision_config"))
            return dir;
        return null;
    }

    private static boolean hasKey(Path json, String key) {
        if (!Files.isRegularFile(json)) return false;
        try {
            JsonNode node = new ObjectMapper().readTree(json.toFile());
            return node.hasNonNull(key);
        } catch (IOException e) {
            throw new IllegalArgumentException(json + ": cannot read JSON: " + e.getMessage(), e);
        }
    }
}
