package jmistral.model.vision;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import jmistral.ModelFileException;
import jmistral.gguf.GgufFile;

/**
 * Geometry of a Pixtral vision tower and Mistral-3 projector.
 *
 * @param hidden        vision hidden size (1024)
 * @param layers        transformer layers (24)
 * @param heads         attention heads (16); head_dim = hidden / heads (64)
 * @param ffn           SiLU-gated MLP width (4096)
 * @param patchSize     conv patch side in pixels (14)
 * @param spatialMerge  patches merged per side by the projector (2)
 * @param projectionDim text hidden size the projector outputs (5120)
 * @param eps           RMSNorm epsilon (1e-5) for ln_pre, attention/ffn norms and the projector norm
 * @param ropeTheta     2D RoPE base (1e4; not stored in mmproj files, llama.cpp hard-codes it)
 */
public record VisionConfig(int hidden, int layers, int heads, int ffn, int patchSize, int spatialMerge,
                           int projectionDim, float eps, double ropeTheta) {

    public int headDim() { return hidden / heads; }

    /** Reads a llama.cpp {@code mmproj} file's {@code clip.*} keys. */
    public static VisionConfig fromGguf(GgufFile gguf) {
        return checked(gguf.path(), new VisionConfig(
                gguf.getInt("clip.vision.embedding_length"),
                gguf.getInt("clip.vision.block_count"),
                gguf.getInt("clip.vision.attention.head_count"),
                gguf.getInt("clip.vision.feed_forward_length"),
                gguf.getInt("clip.vision.patch_size"),
                gguf.findMetadata("clip.vision.spatial_merge_size").isPresent() ? gguf.getInt("clip.vision.spatial_merge_size") : 2,
                gguf.getInt("clip.vision.projection_dim"),
                gguf.getFloat("clip.vision.attention.layer_norm_epsilon"),
                10_000.0));
    }

    /** HF {@code config.json} of Mistral3ForConditionalGeneration: {@code vision_config} + text hidden size. */
    public static VisionConfig fromHfConfig(JsonNode config, Path file) {
        return fromVisionBlock(required(config, "vision_config", file), config.path("spatial_merge_size").asInt(2),
                () -> required(required(config, "text_config", file), "hidden_size", file).asInt(), file);
    }

    /** Mistral native {@code params.json}: its {@code vision_encoder} block + {@code dim}. */
    public static VisionConfig fromParams(JsonNode params, Path file) {
        JsonNode v = required(params, "vision_encoder", file);
        return fromVisionBlock(v, v.path("spatial_merge_size").asInt(2), () -> required(params, "dim", file).asInt(), file);
    }

    /**
     * The vision block both JSON formats share (same keys); they differ only in where the merge size and the
     * text hidden size live. The text hidden size is read last, so a missing vision key is reported first.
     */
    private static VisionConfig fromVisionBlock(JsonNode v, int spatialMerge, IntSupplier projectionDim, Path file) {
        return checked(file, new VisionConfig(
                required(v, "hidden_size", file).asInt(),
                required(v, "num_hidden_layers", file).asInt(),
                required(v, "num_attention_heads", file).asInt(),
                required(v, "intermediate_size", file).asInt(),
                required(v, "patch_size", file).asInt(),
                spatialMerge,
                projectionDim.getAsInt(),
                1e-5f,                                            // hard-coded in modeling_pixtral
                v.path("rope_theta").asDouble(10_000.0)));
    }

    /**
     * Each size in a sane range (Pixtral: 1024 hidden, 24 layers, 16 heads, 4096 ffn, patch 14, merge 2) so a
     * corrupt value is one clear error before anything is sized by it.
     */
    static VisionConfig checked(Path file, VisionConfig c) {
        java.util.List<String> bad = new java.util.ArrayList<>();
        inRange(bad, "hidden size", c.hidden(), 1 << 16);
        inRange(bad, "layer count", c.layers(), 1024);
        inRange(bad, "head count", c.heads(), 1024);
        inRange(bad, "feed-forward size", c.ffn(), 1 << 20);
        inRange(bad, "patch size", c.patchSize(), 1024);
        inRange(bad, "spatial merge size", c.spatialMerge(), 64);
        inRange(bad, "projection size", c.projectionDim(), 1 << 16);
        if (c.heads() > 0 && c.hidden() % c.heads() != 0) bad.add("head count " + c.heads() + " does not divide hidden size " + c.hidden());
        if (!bad.isEmpty()) throw new ModelFileException(file, -1, "unusable vision configuration: " + String.join("; ", bad));
        return c;
    }

    private static void inRange(java.util.List<String> bad, String what, int value, int max) {
        if (value < 1 || value > max) bad.add(what + " " + value + " is not in 1.." + max);
    }

    private static JsonNode required(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new ModelFileException(file, -1, "missing \"" + key + "\" (vision tower config)");
        return v;
    }
}
