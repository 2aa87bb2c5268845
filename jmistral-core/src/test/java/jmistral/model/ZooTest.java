package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.gguf.GgufFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every llama.cpp-quantized zoo file against llama.cpp's outputs (fixtures/llamacpp/README.md).
 *
 * <p>Per file, one mapping of the GGUF serves three checks:
 * <ol>
 * <li>the engine (fast path, f32 activations) against {@link LlamaCppEmulator} with no rounding: an
 *     independent scalar forward in llama.cpp's op order; log-probs within {@value #F32_TOLERANCE};</li>
 * <li>the engine against llama.cpp: greedy ids up to the first near-tie, and log-probs within the
 *     per-type tolerance below;</li>
 * <li>{@link LlamaCppEmulator} with llama.cpp's activation rounding ({@link LlamaCppNumerics}) against
 *     llama.cpp: it must be closer to llama.cpp than the f32 engine (mean difference), and is printed.</li>
 * </ol>
 *
 * <h2>Why the engine differs from llama.cpp here, and why README's 0.02/0.05 is out of reach</h2>
 * llama.cpp's CPU backend rounds the activations before every matrix product to the weight type's
 * vec_dot_type (F16 -> fp16, BF16 -> bf16, Q8_0/Q4_0/Q5_0/IQ4_NL -> Q8_0 blocks of 32, Q4_1/Q5_1 ->
 * Q8_1, K-quants and IQ4_XS -> Q8_K blocks of 256; exact rules in {@link LlamaCppNumerics}); the
 * engine, like transformers and vLLM, keeps them in f32, so this is not an engine deviation to fix.
 * Everything else (RMSNorm, f32 attention, softmax, SiLU, get_rows) agrees to ~1e-6. Measured worst
 * log-prob difference against llama.cpp (3 cases, 24 steps, top-5 each):
 * <pre>
 * type     engine (f32)  emulation: none   +half/q8/q8_1/q8_K activations   (+ f32 RoPE angle chain)
 * F16      0.0048        0.0048            0.0031                            0.0040
 * BF16     0.0327        0.0327            0.0208                            0.0208
 * Q8_0     0.1767        0.1767            0.1115                            0.0770
 * Q4_0     0.1427        0.1427            0.1652                            0.0806
 * Q4_1     0.1279        0.1279            0.0731                            0.1266
 * Q5_0     0.0951        0.0951            0.1098                            0.0916
 * Q5_1     0.1243        0.1243            0.1108                            0.0942
 * Q2_K     0.1880        0.1880            0.1082                            0.1057
 * Q3_K_M   0.2609        0.2609            0.1092                            0.1092
 * Q4_K_M   0.1674        0.1674            0.1504                            0.1504
 * Q5_K_M   0.1853        0.1853            0.1298                            0.1074
 * Q6_K     0.1697        0.1697            0.0762                            0.1269
 * IQ4_NL   0.1463        0.1463            0.1181                            0.0466
 * IQ4_XS   0.1436        0.1436            0.0905                            0.1075
 * </pre>
 * The emulation reproduces llama.cpp to &lt; 5e-4 on whole cases (e.g. the 12-token case for 11 of
 * the 14 files, the 64-token case for Q4_0, Q2_K, Q5_K_M, IQ4_NL, IQ4_XS), so the rounding rules are
 * right bit for bit. But the quantized pipeline is chaotic at the bit level: one f32 ulp anywhere
 * upstream (summation order of a dot product, expf, cosf; RoPE angle as a double vs llama.cpp's f32
 * chain theta *= powf(base, -2/hd), ~1e-6 rad) sometimes moves an activation block's amax across an fp16
 * boundary of its scale d = fp16(amax/127); that block then re-rounds all 32 (or 256) values, i.e.
 * draws fresh 8-bit noise, and the difference propagates through the f32 KV cache to every later token.
 * From that step on two llama.cpp-exact implementations differ by as much as the engine does: the
 * emulation against itself with only the RoPE angle chain switched gives up to 0.13 (Q6_K), 0.09
 * (Q8_0), and which variant stays in sync with llama.cpp varies per file and case (last two columns).
 * Meeting 0.02/0.05 on the 64- and 200-token prompts would need llama.cpp's AVX2 kernels reproduced
 * in their exact f32 operation order (and the fixture machine's ISA); llama.cpp itself on another
 * ISA (NEON, AVX-512 sgemm) would miss it too.
 *
 * <p>Measured, not only argued: llama.cpp itself (v0.4.0 prebuilt CPU build of node-llama-cpp 3.21.1,
 * its Zen 4 / AVX-512 kernels; {@code tools/llamacpp-bench/zoo.mjs}) against the fixture's llama.cpp
 * outputs, worst log-prob difference over the same cases and tokens, next to the engine's:
 * <pre>
 * type     llama.cpp here  engine       type     llama.cpp here  engine
 * F16      0.0055          0.0048       Q2_K     0.1509          0.1880
 * BF16     0.0386          0.0327       Q3_K_M   0.1400          0.2609
 * Q8_0     0.1199          0.1767       Q4_K_M   0.1469          0.1674
 * Q4_0     0.1462          0.1427       Q5_K_M   0.1393          0.1853
 * Q4_1     0.1241          0.1279       Q6_K     0.1709          0.1697
 * Q5_0     0.1399          0.0951       IQ4_NL   0.1520          0.1463
 * Q5_1     0.1220          0.1243       IQ4_XS   0.2026          0.1436
 * </pre>
 * Two llama.cpp builds differ from each other on these files as much as the engine differs from
 * either: README's 0.02/0.05 holds only for one build on one ISA. Hence the engine tolerances below
 * are the measured worst plus ~25% for bf16 and the 8..2-bit types (the engine's f32 path is smooth,
 * so they are stable; the strict check of the engine is 1. above); F16 meets the README (0.02).
 *
 * <p>Open: F16/BF16 llama.cpp differences are only partly explained by fp16/bf16 activation rounding
 * (F16 0.0048 -> 0.0040, BF16 0.033 -> 0.021); Q4_1, Q5_1 (Q8_1 path) and Q4_K_M (repacked Q4_K on
 * x86) never stay in sync even on the 12-token case, so some detail of those paths is still missing.
 */
class ZooTest {
    /** Engine vs the unrounded emulation: both f32, only summation order and libm differ. */
    static final double F32_TOLERANCE = 1e-4; // measured 2.5e-6 .. 4.6e-6

    @ParameterizedTest
    @ValueSource(strings = {"F16:0.02", "BF16:0.04", "Q8_0:0.22", "Q4_0:0.18", "Q4_1:0.16", "Q5_0:0.12", "Q5_1:0.16",
            "Q2_K:0.24", "Q3_K_M:0.32", "Q4_K_M:0.21", "Q5_K_M:0.23", "Q6_K:0.21", "IQ4_NL:0.18", "IQ4_XS:0.18"})
    void zoo(String typeAndTolerance) throws URISyntaxException {
        String type = typeAndTolerance.split(":")[0];
        double tol = Double.parseDouble(typeAndTolerance.split(":")[1]);
        Path file = Path.of(ZooTest.class.getResource("/fixtures/llamacpp/zoo/zoo-" + type + ".gguf").toURI());
        JsonNode expected = LlamaCppFixture.json("/fixtures/llamacpp/zoo/zoo-" + type + ".expected.json");
        try (GgufFile gguf = GgufFile.open(file)) {
            TextConfig c = TextConfigReader.fromGguf(gguf.metadata(), file);
            assertEquals(LlamaCppFixture.config(LlamaCppFixture.json("/fixtures/llamacpp/zoo/model.json").get("model")), c);
            Checkpoint ck = Checkpoint.load(gguf, c, TensorNames.GGUF);
            TextModel engine = new TextModel(ck, null); // the file is closed by the try block
            LlamaCppEmulator llamaCpp = new LlamaCppEmulator(ck, gguf, TensorNames.GGUF, LlamaCppNumerics.ALL);

            double f32 = LlamaCppFixture.compare(LlamaCppFixture.engine(engine), llamaCpp.with(LlamaCppNumerics.NONE)::sequence, expected, "zoo-" + type);
            assertTrue(f32 <= F32_TOLERANCE, "zoo-" + type + ": engine vs f32 emulation differ by " + f32);

            double worst = LlamaCppFixture.check(engine, expected, tol, "zoo-" + type);

            LlamaCppFixture.Result emulated = LlamaCppFixture.run(llamaCpp::sequence, expected, Double.MAX_VALUE, "zoo-" + type);
            LlamaCppFixture.Result plain = LlamaCppFixture.run(LlamaCppFixture.engine(engine), expected, Double.MAX_VALUE, "zoo-" + type);
            System.out.printf("zoo-%s: engine vs llama.cpp worst %.4f (mean %.4f); llama.cpp emulation worst %.4f (mean %.4f); engine vs f32 emulation %.1e%n",
                    type, worst, plain.mean(), emulated.worst(), emulated.mean(), f32);
            assertTrue(emulated.mean() < plain.mean(), "zoo-" + type + ": llama.cpp emulation is not closer to llama.cpp than f32");
        }
    }
}
