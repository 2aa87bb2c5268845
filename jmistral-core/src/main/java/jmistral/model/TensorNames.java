package jmistral.model;

import jmistral.tensor.TensorSource;

import java.util.List;

/**
 * How one checkpoint layout names the text decoder's tensors (model-arch.md section 4), and which
 * RoPE pairing its q/k rows were written for.
 *
 * @param layout      short name for messages
 * @param embedding   token embedding [vocab][dim]
 * @param finalNorm   final RMSNorm [dim]
 * @param output      output projection [vocab][dim]
 * @param layerPrefix prefix of layer N's tensors, with %d for N
 * @param parts       suffix of each layer tensor, indexed by {@link LayerPart#ordinal()}
 * @param rope        RoPE pairing matching the q/k row order
 */
public record TensorNames(String layout, String embedding, String finalNorm, String output, String layerPrefix,
                          List<String> parts, RopeLayout rope) {

    /** The tensors of one decoder layer. */
    public enum LayerPart { ATTN_NORM, Q, K, V, O, FFN_NORM, GATE, UP, DOWN }

    public static final TensorNames GGUF = new TensorNames("GGUF", "token_embd.weight", "output_norm.weight",
            "output.weight", "blk.%d.", List.of("attn_norm.weight", "attn_q.weight", "attn_k.weight",
            "attn_v.weight", "attn_output.weight", "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight",
            "ffn_down.weight"), RopeLayout.INTERLEAVED);

    public static final TensorNames NATIVE = new TensorNames("Mistral native", "tok_embeddings.weight",
            "norm.weight", "output.weight", "layers.%d.", List.of("attention_norm.weight",
            "attention.wq.weight", "attention.wk.weight", "attention.wv.weight", "attention.wo.weight",
            "ffn_norm.weight", "feed_forward.w1.weight", "feed_forward.w3.weight", "feed_forward.w2.weight"),
            RopeLayout.INTERLEAVED);

    private static final List<String> HF_PARTS = List.of("input_layernorm.weight", "self_attn.q_proj.weight",
            "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
            "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight");

    /** Mistral3ForConditionalGeneration as saved on disk by transformers < 5 (the 3.x repos). */
    public static final TensorNames HF_LEGACY = hf("HF legacy", "language_model.model.", "language_model.lm_head.weight");
    /** Mistral3ForConditionalGeneration with the transformers >= 4.52 in-memory / v5 names. */
    public static final TensorNames HF = hf("HF", "model.language_model.", "lm_head.weight");
    /** Plain MistralForCausalLM. */
    public static final TensorNames HF_PLAIN = hf("HF MistralForCausalLM", "model.", "lm_head.weight");

    private static TensorNames hf(String layout, String prefix, String output) {
        return new TensorNames(layout, prefix + "embed_tokens.weight", prefix + "norm.weight", output,
                prefix + "layers.%d.", HF_PARTS, RopeLayout.ROTATE_HALF);
    }

    public static final List<TensorNames> ALL = List.of(GGUF, NATIVE, HF_LEGACY, HF, HF_PLAIN);

    /** Name of one layer tensor. */
    public String layer(int layer, LayerPart part) {
        return layerPrefix.formatted(layer) + parts.get(part.ordinal());
    }

    /** The layout whose embedding tensor the source holds, or null. */
    public static TensorNames detect(TensorSource source) {
        for (TensorNames n : ALL) {
            if (source.tensors().containsKey(n.embedding)) return n;
        }
        return null;
    }
}
