package jmistral.quantize;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static jmistral.tensor.GgmlType.*;
import static org.junit.jupiter.api.Assertions.*;

/** llama-quantize's per-tensor rules (llama-quant.cpp, as listed in model-arch.md 6). */
class TypeRulesTest {

    @Test
    void useMoreBitsMatchesLlamaCppFor40Layers() {
        // model-arch.md 6: layers {0-4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 35-39}
        List<Integer> expected = List.of(0, 1, 2, 3, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 35, 36, 37, 38, 39);
        assertEquals(expected, IntStream.range(0, 40).filter(i -> TypeRules.useMoreBits(i, 40)).boxed().toList());
        // 8 layers: n/8 = 1, 7n/8 = 7, (i-1) % 3 == 2 at 3 and 6
        assertEquals(List.of(0, 3, 6, 7), IntStream.range(0, 8).filter(i -> TypeRules.useMoreBits(i, 8)).boxed().toList());
    }

    @Test
    void q4KMMix() {
        QuantType q = QuantType.Q4_K_M;
        assertEquals(Q4_K, TypeRules.typeFor(q, TensorKind.EMBEDDING, -1, 40, 5120));
        assertEquals(Q6_K, TypeRules.typeFor(q, TensorKind.OUTPUT, -1, 40, 5120));
        assertEquals(F32, TypeRules.typeFor(q, TensorKind.NORM, 3, 40, 5120));
        assertEquals(Q6_K, TypeRules.typeFor(q, TensorKind.V, 7, 40, 5120));
        assertEquals(Q4_K, TypeRules.typeFor(q, TensorKind.V, 8, 40, 5120));
        assertEquals(Q6_K, TypeRules.typeFor(q, TensorKind.DOWN, 39, 40, 32768));
        assertEquals(Q4_K, TypeRules.typeFor(q, TensorKind.DOWN, 5, 40, 32768));
        for (TensorKind k : List.of(TensorKind.Q, TensorKind.K, TensorKind.O, TensorKind.GATE, TensorKind.UP)) {
            assertEquals(Q4_K, TypeRules.typeFor(q, k, 0, 40, 5120), k.toString());
        }
        assertEquals(Q6_K, TypeRules.typeFor(QuantType.Q5_K_M, TensorKind.V, 0, 40, 5120));
        assertEquals(Q5_K, TypeRules.typeFor(QuantType.Q5_K_M, TensorKind.V, 5, 40, 5120));
    }

    @Test
    void plainTypesAndOutput() {
        assertEquals(Q8_0, TypeRules.typeFor(QuantType.Q8_0, TensorKind.OUTPUT, -1, 40, 5120), "a Q8_0 file keeps output Q8_0");
        assertEquals(Q8_0, TypeRules.typeFor(QuantType.Q8_0, TensorKind.EMBEDDING, -1, 40, 5120));
        assertEquals(Q8_0, TypeRules.typeFor(QuantType.Q8_0, TensorKind.DOWN, 0, 40, 32768), "no bumps outside K mixes");
        assertEquals(Q6_K, TypeRules.typeFor(QuantType.Q4_0, TensorKind.OUTPUT, -1, 40, 5120));
        assertEquals(Q4_0, TypeRules.typeFor(QuantType.Q4_0, TensorKind.EMBEDDING, -1, 40, 5120));
        assertEquals(Q4_0, TypeRules.typeFor(QuantType.Q4_0, TensorKind.V, 0, 40, 5120));
        assertEquals(Q6_K, TypeRules.typeFor(QuantType.Q6_K, TensorKind.EMBEDDING, -1, 40, 5120));
        assertEquals(F16, TypeRules.typeFor(QuantType.F16, TensorKind.OUTPUT, -1, 40, 5120), "no rules for unquantized files");
        assertEquals(F32, TypeRules.typeFor(QuantType.BF16, TensorKind.NORM, 0, 40, 5120));
    }

    @Test
    void rowsNotAMultipleOf256FallBackAsLlamaCpp() {
        assertEquals(Q5_0, TypeRules.typeFor(QuantType.Q4_K_M, TensorKind.Q, 0, 40, 320));
        assertEquals(Q8_0, TypeRules.typeFor(QuantType.Q4_K_M, TensorKind.V, 0, 40, 320), "Q6_K bump -> Q8_0");
        assertEquals(Q8_0, TypeRules.typeFor(QuantType.Q4_0, TensorKind.OUTPUT, -1, 40, 320), "output needs 256 for Q6_K");
        assertEquals(Q5_1, TypeRules.fitting(Q5_K, 96));
        assertEquals(F16, TypeRules.typeFor(QuantType.Q6_K, TensorKind.UP, 0, 40, 48), "not even a 32 block: F16");
        assertEquals(F16, TypeRules.typeFor(QuantType.Q8_0, TensorKind.UP, 0, 40, 48));
    }

    @Test
    void unknownTypeNameIsAClearError() {
        assertEquals(QuantType.Q4_K_M, QuantType.parse("q4_k_m"));
        var e = assertThrows(IllegalArgumentException.class, () -> QuantType.parse("Q3_K_XL"));
        assertTrue(e.getMessage().contains("unknown quantization type 'Q3_K_XL'") && e.getMessage().contains("Q4_K_M, Q5_K_M"), e.getMessage());
    }
}
