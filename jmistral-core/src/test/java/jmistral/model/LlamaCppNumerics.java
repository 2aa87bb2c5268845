package jmistral.model;

import jmistral.tensor.BFloat16;
import jmistral.tensor.Float16;
import jmistral.tensor.GgmlType;

import java.util.EnumSet;
import java.util.Set;

/**
 * What llama.cpp's CPU backend (ggml-cpu, x86 AVX2 build) does to the ACTIVATIONS of a matrix product,
 * bit for bit: before {@code ggml_compute_forward_mul_mat} multiplies weights of type T with f32
 * activations, it converts the activations to T's {@code vec_dot_type} (type_traits_cpu) and the dot
 * product then works on those: integers times the block scales.
 *
 * <pre>
 * weights                                    vec_dot_type   activation block (32 or 256 values)
 * F32                                        F32            unchanged
 * F16                                        F16            fp16(x), ties to even (F16C)
 * BF16                                       BF16           bf16(x), ties to even
 * Q8_0, Q4_0, Q5_0, IQ4_NL                   Q8_0 (32)      amax = max|x|; d = amax/127; id = 127/amax;
 *                                                           q = rint(x*id) (_mm256_round_ps, ties even);
 *                                                           stored d is fp16(d)
 * Q4_1, Q5_1                                 Q8_1 (32)      as Q8_0, plus s = fp16(d * sum q) with the
 *                                                           UNROUNDED d; the dot adds m_w * s per block
 * Q2_K..Q6_K, IQ4_XS                         Q8_K (256)     max = the x of largest |x| (signed);
 *                                                           iscale = -127/max; q = min(127, nearest_int(
 *                                                           iscale*x)) (ties even); d = 1/iscale, f32
 * </pre>
 * (quantize_row_q8_0 / quantize_row_q8_1 in ggml-cpu/arch/x86/quants.c, quantize_row_q8_K_ref in
 * ggml-quants.c; the generic and NEON builds compute id as 1/d instead of 127/amax, {@link
 * Detail#AVX_RECIPROCAL}.) Everything else on the way (RMSNorm, RoPE, f32 attention with an f32 KV
 * cache, SiLU, softmax) is plain f32 in llama.cpp too and agrees with the engine to ~1e-6.
 *
 * <p>An activation row is returned as the real values the integer dot effectively multiplies
 * ({@code d * q}, in double, exact), plus for Q8_1 the per-block difference between the fp16 sum
 * {@code s} and the exact sum of those values, which the caller weights with the block's minimum.
 */
final class LlamaCppNumerics {
    private LlamaCppNumerics() {}

    /** The rounding steps of llama.cpp, each switchable to measure what it does. */
    enum Detail {
        /** F16/BF16 weights: activations rounded to fp16/bf16. */
        HALF_ACTIVATIONS,
        /** 32-block types: activations quantized to Q8_0 / Q8_1. */
        Q8_ACTIVATIONS,
        /** K-quants and IQ4_XS: activations quantized to Q8_K (256 per block). */
        Q8_K_ACTIVATIONS,
        /** Q4_1/Q5_1: the Q8_1 block sum s goes through fp16 (else the exact sum of d*q is used). */
        Q8_1_HALF_SUM,
        /** Q8_0/Q8_1 quantize with id = 127/amax (AVX2) rather than 1/fp32(amax/127) (generic, NEON). */
        AVX_RECIPROCAL,
        /** RoPE angles as ggml_rope_cache_init builds them: theta = pos, theta *= powf(base, -2/hd) per pair, f32. */
        FLOAT_ROPE_ANGLES
    }

    /** Everything llama.cpp does. */
    static final Set<Detail> ALL = EnumSet.allOf(Detail.class);
    /** Plain f32 activations (what the engine and the reference implementations do). */
    static final Set<Detail> NONE = EnumSet.noneOf(Detail.class);

    enum VecDotType { F32, F16, BF16, Q8_0, Q8_1, Q8_K }

    /** ggml-cpu's type_traits_cpu[type].vec_dot_type. */
    static VecDotType vecDotType(GgmlType weights) {
        return switch (weights) {
            case F32 -> VecDotType.F32;
            case F16 -> VecDotType.F16;
            case BF16 -> VecDotType.BF16;
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> VecDotType.Q8_0;
            case Q4_1, Q5_1 -> VecDotType.Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS -> VecDotType.Q8_K;
            default -> throw new IllegalArgumentException("no llama.cpp vec_dot_type known for " + weights);
        };
    }

    /**
     * @param values      [n] the activations as the dot product sees them
     * @param sumOverhang [n/32] for Q8_1: fp16(s) - sum of the block's values (else null)
     */
    record Activations(double[] values, double[] sumOverhang) {}

    /** x[0..n) converted for a product with weights of the given type. */
    static Activations convert(GgmlType weights, float[] x, Set<Detail> details) {
        VecDotType t = vecDotType(weights);
        int n = x.length;
        double[] v = new double[n];
        switch (t) {
            case F16, BF16 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = !details.contains(Detail.HALF_ACTIVATIONS) ? x[i]
                            : t == VecDotType.F16 ? Float16.toFloat(Float16.fromFloat(x[i])) : BFloat16.toFloat(BFloat16.fromFloat(x[i]));
                }
                return new Activations(v, null);
            }
            case Q8_0, Q8_1 -> {
                if (!details.contains(Detail.Q8_ACTIVATIONS)) return new Activations(toDouble(x), null);
                double[] overhang = t == VecDotType.Q8_1 ? new double[n / 32] : null;
                for (int b = 0; b < n / 32; b++) {
                    double s = quantizeQ8Block(x, b * 32, v, details);
                    if (overhang != null) {
                        double exact = 0;
                        for (int j = 0; j < 32; j++) exact += v[b * 32 + j];
                        if (details.contains(Detail.Q8_1_HALF_SUM)) overhang[b] = s - exact;
                    }
                }
                return new Activations(v, overhang);
            }
            case Q8_K -> {
                if (!details.contains(Detail.Q8_K_ACTIVATIONS)) return new Activations(toDouble(x), null);
                for (int b = 0; b < n / 256; b++) quantizeQ8KBlock(x, b * 256, v);
                return new Activations(v, null);
            }
            default -> {
                return new Activations(toDouble(x), null);
            }
        }
    }

    /** One Q8_0/Q8_1 block of 32 into v (as fp16(d) * q); returns Q8_1's s = fp16(d * sum q). */
    private static double quantizeQ8Block(float[] x, int off, double[] v, Set<Detail> details) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127f;
        float id = details.contains(Detail.AVX_RECIPROCAL) ? (amax != 0 ? 127f / amax : 0f) : (d != 0 ? 1f / d : 0f);
        float dHalf = Float16.toFloat(Float16.fromFloat(d));
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int) Math.rint(x[off + j] * id); // float product, round half to even
            sum += q;
            v[off + j] = (double) dHalf * q;
        }
        return Float16.toFloat(Float16.fromFloat(d * sum));
    }

    /** One Q8_K block of 256 into v (as d * q with d = 1/iscale in f32). */
    private static void quantizeQ8KBlock(float[] x, int off, double[] v) {
        float amax = 0, max = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[off + j]);
            if (ax > amax) { amax = ax; max = x[off + j]; }
        }
        if (amax == 0) return; // all zero: d = 0
        float iscale = -127f / max;
        float d = 1 / iscale;
        for (int j = 0; j < 256; j++) {
            int q = Math.min(127, (int) Math.rint(iscale * x[off + j])); // nearest_int: ties to even
            v[off + j] = (double) d * q;
        }
    }

    private static double[] toDouble(float[] x) {
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) v[i] = x[i];
        return v;
    }
}
