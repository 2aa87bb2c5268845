package jmistral.model.vision;

import java.util.List;
import jmistral.model.RopeLayout;
import jmistral.tensor.TensorSource;

/**
 * How one checkpoint layout names the vision tower and projector tensors (model-arch.md 4a-4c), and
 * which RoPE pairing its q/k rows were written for (HF rows are permuted for rotate-half, 16 heads of 64).
 *
 * @param layout      short name for messages
 * @param patchEmbed  conv weight [hidden, 3, patch, patch]
 * @param preNorm     ln_pre [hidden]
 * @param layerPrefix prefix of layer N's tensors, with %d for N
 * @param parts       suffix of each layer tensor, indexed by {@link Part#ordinal()}
 * @param mmNorm      projector RMSNorm [hidden]
 * @param merger      patch merger [hidden, 4*hidden]
 * @param linear1     [projectionDim, hidden]
 * @param linear2     [projectionDim, projectionDim]
 * @param rope        RoPE pairing of the q/k rows
 */
public record VisionTensorNames(String layout, String patchEmbed, String preNorm, String layerPrefix, List<String> parts,
                                String mmNorm, String merger, String linear1, String linear2, RopeLayout rope) {

    /** The tensors of one encoder layer. */
    public enum Part { ATTN_NORM, Q, K, V, O, FFN_NORM, GATE, UP, DOWN }

    /** llama.cpp mmproj files. */
    public static final VisionTensorNames GGUF = new VisionTensorNames("GGUF mmproj", "v.patch_embd.weight",
            "v.pre_ln.weight", "v.blk.%d.", List.of("ln1.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight",
            "attn_out.weight", "ln2.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"),
            "mm.input_norm.weight", "mm.patch_merger.weight", "mm.1.weight", "mm.2.weight", RopeLayout.INTERLEAVED);

    /** Mistral native consolidated.safetensors. */
    public static final VisionTensorNames NATIVE = new VisionTensorNames("Mistral native", "vision_encoder.patch_conv.weight",
            "vision_encoder.ln_pre.weight", "vision_encoder.transformer.layers.%d.", List.of("attention_norm.weight",
            "attention.wq.weight", "attention.wk.weight", "attention.wv.weight", "attention.wo.weight", "ffn_norm.weight",
            "feed_forward.w1.weight", "feed_forward.w3.weight", "feed_forward.w2.weight"),
            "pre_mm_projector_norm.weight", "patch_merger.merging_layer.weight", "vision_language_adapter.w_in.weight",
            "vision_language_adapter.w_out.weight", RopeLayout.INTERLEAVED);

    /** HF legacy on-disk names (the 3.x repos). */
    public static final VisionTensorNames HF_LEGACY = hf("HF legacy", "");
    /** HF names of transformers >= 4.52 in memory / v5. */
    public static final VisionTensorNames HF = hf("HF", "model.");

    private static VisionTensorNames hf(String layout, String prefix) {
        String v = prefix + "vision_tower.", mm = prefix + "multi_modal_projector.";
        return new VisionTensorNames(layout, v + "patch_conv.weight", v + "ln_pre.weight", v + "transformer.layers.%d.",
                List.of("attention_norm.weight", "attention.q_proj.weight", "attention.k_proj.weight",
                        "attention.v_proj.weight", "attention.o_proj.weight", "ffn_norm.weight",
                        "feed_forward.gate_proj.weight", "feed_forward.up_proj.weight", "feed_forward.down_proj.weight"),
                mm + "norm.weight", mm + "patch_merger.merging_layer.weight", mm + "linear_1.weight",
                mm + "linear_2.weight", RopeLayout.ROTATE_HALF);
    }

    public static final List<VisionTensorNames> ALL = List.of(GGUF, NATIVE, HF_LEGACY, HF);

    public String layer(int layer, Part part) {
        return layerPrefix.formatted(layer) + parts.get(part.ordinal());
    }

    /** The layout whose patch conv the source holds, or null (no vision tower). */
    public static VisionTensorNames detect(TensorSource source) {
        for (VisionTensorNames n : ALL) {
            if (source.tensors().containsKey(n.patchEmbed)) return n;
        }
        return null;
    }
}
