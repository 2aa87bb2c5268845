package jmistral.quantize;

import jmistral.tensor.GgmlType;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The file types {@code jmistral quantize} writes, named as llama-quantize names them. A plain type puts
 * every 2-D weight in {@code base} (with llama.cpp's exceptions for output.weight, see {@link TypeRules});
 * a K-quant mix (Q4_K_M, Q5_K_M) additionally bumps attn_v and ffn_down to {@code bump} in some layers.
 *
 * @param base     type of an ordinary 2-D weight
 * @param bump     type of attn_v / ffn_down in use_more_bits layers, or null for a plain type
 * @param fileType llama.cpp's LLAMA_FTYPE_* value, stored as general.file_type
 */
public enum QuantType {
    F32(GgmlType.F32, null, 0),
    F16(GgmlType.F16, null, 1),
    BF16(GgmlType.BF16, null, 32),
    Q8_0(GgmlType.Q8_0, null, 7),
    Q4_0(GgmlType.Q4_0, null, 2),
    Q4_1(GgmlType.Q4_1, null, 3),
    Q5_0(GgmlType.Q5_0, null, 8),
    Q5_1(GgmlType.Q5_1, null, 9),
    Q6_K(GgmlType.Q6_K, null, 18),
    Q4_K_M(GgmlType.Q4_K, GgmlType.Q6_K, 15),
    Q5_K_M(GgmlType.Q5_K, GgmlType.Q6_K, 17);

    public final GgmlType base;
    public final GgmlType bump;
    public final int fileType;

    QuantType(GgmlType base, GgmlType bump, int fileType) {
        this.base = base;
        this.bump = bump;
        this.fileType = fileType;
    }

    /** Whether 2-D weights are quantized (llama.cpp applies its per-tensor rules only then). */
    public boolean isQuantized() { return base.isQuantized(); }

    /** The type named {@code name} (case-insensitive, e.g. "q4_k_m"); a clear error listing the choices otherwise. */
    public static QuantType parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        for (QuantType t : values()) if (t.name().equals(n)) return t;
        throw new IllegalArgumentException("unknown quantization type '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
