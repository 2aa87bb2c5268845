package jmistral.model.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jmistral.gguf.GgufWriter;
import jmistral.model.vision.VisionConfig;
import jmistral.model.vision.VisionTensorNames;
import jmistral.safetensors.SafetensorsDType;
import jmistral.safetensors.SafetensorsModel;
import jmistral.safetensors.SafetensorsWriter;
import jmistral.tensor.GgmlType;

/**
 * Writes a synthesized vision tower ({@link SynthVision}) as users receive one: a llama.cpp mmproj GGUF
 * (beside a text GGUF), a Hugging Face folder (config.json + model.safetensors), or a Mistral native
 * folder (params.json + consolidated.safetensors). Tensors are produced one at a time while writing.
 */
public final class SynthVisionFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SynthVisionFiles() {}

    /**
     * @param imgBreak the text model's [IMG_BREAK] embedding row (llama.cpp's v.token_embd.img_break), [projectionDim]
     */
    public static void writeMmproj(Path file, VisionConfig c, long seed, float[] imgBreak) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "clip");
        w.putString("clip.projector_type", "pixtral");
        w.putBool("clip.has_vision_encoder", true);
        w.putBool("clip.use_silu", true);
        w.putUInt32("clip.vision.image_size", 1540);
        w.putUInt32("clip.vision.patch_size", c.patchSize());
        w.putUInt32("clip.vision.embedding_length", c.hidden());
        w.putUInt32("clip.vision.feed_forward_length", c.ffn());
        w.putUInt32("clip.vision.block_count", c.layers());
        w.putUInt32("clip.vision.attention.head_count", c.heads());
        w.putFloat32("clip.vision.attention.layer_norm_epsilon", c.eps());
        w.putUInt32("clip.vision.projection_dim", c.projectionDim());
        w.putUInt32("clip.vision.spatial_merge_size", c.spatialMerge());
        w.putFloat32Array("clip.vision.image_mean", new float[] {0.48145466f, 0.4578275f, 0.40821073f});
        w.putFloat32Array("clip.vision.image_std", new float[] {0.26862954f, 0.26130258f, 0.27577711f});
        for (SynthTensor t : SynthVision.tensors(c, seed, VisionTensorNames.GGUF)) {
            w.addTensor(t.name(), GgmlType.F32, t.ggmlShape(), out -> jmistral.gguf.ByteSink.writeF32(out, t.data().get()));
        }
        w.addF32("v.token_embd.img_break", imgBreak, imgBreak.length);
        w.write(file);
    }

    /** The [IMG_BREAK] (id 12) row of a formula text model's token_embd, for {@link #writeMmproj}. */
    public static float[] formulaImgBreak(long seed, int vocab, int dim) {
        return new WeightFormula(seed, dim).matrixRow("token_embd.weight", vocab, dim, 12);
    }

    /** config.json (vision_config, text_config.hidden_size) + model.safetensors in HF legacy names, q/k permuted. */
    public static void writeHf(Path dir, VisionConfig c, long seed, SafetensorsDType dtype) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("Mistral3ForConditionalGeneration");
        config.put("spatial_merge_size", c.spatialMerge());
        config.putObject("text_config").put("hidden_size", c.projectionDim());
        config.set("vision_config", visionBlock(c));
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        writeSafetensors(dir.resolve("model.safetensors"), SynthVision.tensors(c, seed, VisionTensorNames.HF_LEGACY), dtype);
    }

    /** params.json (vision_encoder block, dim) + consolidated.safetensors in native names. */
    public static void writeNative(Path dir, VisionConfig c, long seed, SafetensorsDType dtype) throws IOException {
        Files.createDirectories(dir);
        ObjectNode params = JSON.createObjectNode();
        params.put("dim", c.projectionDim());
        ObjectNode v = visionBlock(c);
        v.put("spatial_merge_size", c.spatialMerge());
        v.put("image_token_id", 10).put("image_break_token_id", 12).put("image_end_token_id", 13);
        params.set("vision_encoder", v);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("params.json").toFile(), params);
        writeSafetensors(dir.resolve(SafetensorsModel.CONSOLIDATED), SynthVision.tensors(c, seed, VisionTensorNames.NATIVE), dtype);
    }

    private static ObjectNode visionBlock(VisionConfig c) {
        return JSON.createObjectNode().put("hidden_size", c.hidden()).put("num_hidden_layers", c.layers())
                .put("num_attention_heads", c.heads()).put("intermediate_size", c.ffn()).put("patch_size", c.patchSize())
                .put("image_size", 1540).put("num_channels", 3).put("rope_theta", c.ropeTheta()).put("hidden_act", "silu");
    }

    private static void writeSafetensors(Path file, List<SynthTensor> tensors, SafetensorsDType dtype) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (SynthTensor t : tensors) w.add(t.name(), dtype, t.torchShape(), t.data().get());
        w.write(file);
    }
}
