package jmistral.quantize;

import jmistral.tensor.GgmlType;

/**
 * The per-tensor type rules of llama-quantize (llama-quant.cpp {@code llama_tensor_get_type}, without an
 * importance matrix), for the types of {@link QuantType}:
 * <ul>
 *   <li>norms (1-D) stay F32;</li>
 *   <li>unquantized file types (F32/F16/BF16): every 2-D weight in that type;</li>
 *   <li>output.weight: Q8_0 when its rows are not a multiple of 256 wide, else Q6_K unless the file type
 *       is Q8_0 (a Q8_0 file keeps it Q8_0);</li>
 *   <li>K-quant mixes (Q4_K_M, Q5_K_M): attn_v and ffn_down get {@link QuantType#bump} (Q6_K) in layers
 *       where {@link #useMoreBits} holds; everything else, token_embd included, the base type;</li>
 *   <li>a row width that the chosen type's block does not divide falls back as llama.cpp does:
 *       Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, and F16 when even that does not divide it. For a
 *       32-block type (Q8_0, Q4_0, ...) llama.cpp gives up ("unsupported tensor size"); we use F16.</li>
 * </ul>
 */
public final class TypeRules {
    private TypeRules() {}

    /**
     * llama.cpp's use_more_bits: the first and last eighth of the layers and every third layer between.
     * For 40 layers: 0-4, 7, 10, ..., 34, 35-39.
     */
    public static boolean useMoreBits(int layer, int nLayers) {
        return layer < nLayers / 8 || layer >= 7 * nLayers / 8 || (layer - nLayers / 8) % 3 == 2;
    }

    /**
     * The type of one tensor.
     *
     * @param layer   decoder layer, ignored for tensors outside the layers
     * @param cols    row width (ggml ne[0]), which the type's block size must divide
     */
    public static GgmlType typeFor(QuantType q, TensorKind kind, int layer, int nLayers, long cols) {
        if (kind == TensorKind.NORM) return GgmlType.F32;
        if (!q.isQuantized()) return q.base;
        GgmlType t = q.base;
        if (kind == TensorKind.OUTPUT) {
            t = cols % GgmlType.Q6_K.blockSize != 0 ? GgmlType.Q8_0 : t == GgmlType.Q8_0 ? t : GgmlType.Q6_K;
        } else if (q.bump != null && (kind == TensorKind.V || kind == TensorKind.DOWN) && useMoreBits(layer, nLayers)) {
            t = q.bump;
        }
        return fitting(t, cols);
    }

    /** {@code t} if its block divides {@code cols}, else llama.cpp's fallback for it. */
    static GgmlType fitting(GgmlType t, long cols) {
        if (cols % t.blockSize == 0) return t;
        GgmlType f = switch (t) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % f.blockSize == 0 ? f : GgmlType.F16;
    }
}
