package jmistral.model;

import static jmistral.model.TinyModels.maxAbsDiff;
import static jmistral.model.TinyModels.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jmistral.model.synth.SynthModel;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * Q6_K w_down and output projections with rows long enough to get a copy in row tiles, and Q4_K layer matrices
 * ({@link jmistral.tensor.Matrix#withTiledCopy}): decode token by token (the tiles' matvec) against the scalar
 * reference forward over the same quantized weights, and against prefills (the decode kernels in passes; the GEMM over
 * panels from the tiles, or over the matrices in place: both ways of keeping a copy, {@link Checkpoint}).
 */
class RowTiledDecodeTest {

    @org.junit.jupiter.params.ParameterizedTest(name = "copies in place of the pages: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void tiledWDownAndOutputDecodeLikeTheReference(boolean replacePages) {
        // dim 64 with 8192-wide w_down rows (two column chunks); dim 5120 (the output projection's rows)
        List<TextConfig> configs = List.of(
                new TextConfig(64, 1, 32, 8192, 4, 2, 1e-5, 1e9, 256, 4096),
                new TextConfig(5120, 1, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096));
        for (TextConfig c : configs) {
            MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(c, 7, null, TensorNames.GGUF)); // the model closes it
            boolean longDown = c.hiddenDim() > 4096; // else the output projection's rows are the long ones
            String q6 = longDown ? TensorNames.GGUF.layer(0, TensorNames.LayerPart.DOWN) : TensorNames.GGUF.output();
            src.quantize(q6, GgmlType.Q6_K); // the other tensors stay f32, in place (long f32 rows get no copy)
            Checkpoint ck = Checkpoint.load(src, c, TensorNames.GGUF, replacePages);
            assertEquals(replacePages, ck.output().replacedBytes() > 0 || ck.layers()[0].wDown().replacedBytes() > 0);
            String tiled = longDown ? ck.layers()[0].wDown().toString() : ck.output().toString();
            assertTrue(tiled.contains("row tiles"), tiled);
            // the one Q6_K tensor copied once, repacked into tiles (276 bytes per 256 weights against 210; rows to a multiple of 64)
            int rows = longDown ? c.dim() : c.vocabSize(), paddedRows = (rows + 63) / 64 * 64;
            assertEquals(src.tensors().get(q6).data().byteSize() / rows * paddedRows / 210 * 276, ck.copiedBytes(), "the one Q6_K tensor, copied once");
            assertDecodeIsTheReferenceAndPrefill(ck, src, c);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "copies in place of the pages: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void q4KLayersDecodeLikeTheReference(boolean replacePages) {
        // every layer matrix Q4_K (rows of 256 columns and more): each gets a copy in Q4_K row tiles
        TextConfig c = new TextConfig(256, 2, 64, 512, 4, 2, 1e-5, 1e9, 256, 4096);
        MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(c, 9, null, TensorNames.GGUF)); // the model closes it
        List<TensorNames.LayerPart> parts = List.of(TensorNames.LayerPart.Q, TensorNames.LayerPart.K, TensorNames.LayerPart.V,
                TensorNames.LayerPart.O, TensorNames.LayerPart.GATE, TensorNames.LayerPart.UP, TensorNames.LayerPart.DOWN);
        long q4kBytes = 0;
        for (int l = 0; l < c.nLayers(); l++) {
            for (TensorNames.LayerPart part : parts) {
                src.quantize(TensorNames.GGUF.layer(l, part), GgmlType.Q4_K);
                q4kBytes += src.tensors().get(TensorNames.GGUF.layer(l, part)).data().byteSize();
            }
        }
        Checkpoint ck = Checkpoint.load(src, c, TensorNames.GGUF, replacePages);
        assertEquals(replacePages ? q4kBytes : 0, ck.matrices().stream().mapToLong(jmistral.tensor.Matrix::replacedBytes).sum());
        for (LayerWeights layer : ck.layers()) {
            for (var m : List.of(layer.wq(), layer.wk(), layer.wv(), layer.wo(), layer.wGate(), layer.wUp(), layer.wDown())) {
                assertTrue(m.toString().contains("row tiles"), m.toString());
            }
        }
        // every row count here a multiple of 64: the copies are 152 bytes per 256 weights against Q4_K's 144
        assertEquals(q4kBytes / 144 * 152, ck.copiedBytes(), "each Q4_K tensor copied once");
        assertDecodeIsTheReferenceAndPrefill(ck, src, c);
    }

    /**
     * Decode token by token (the tiles' matvec) within 2e-4 of the scalar reference forward over the same weights, and of
     * two prefills of the same tokens: 24 (the decode kernels, in passes of 8) and 70 (the prefill GEMM, over panels
     * dequantized from the tiles where the copies take the place of the pages, else over the matrices in place).
     */
    private static void assertDecodeIsTheReferenceAndPrefill(Checkpoint ck, MemoryTensorSource src, TextConfig c) {
        int n = 70, v = c.vocabSize(), passes = 24; // 70: more than RowTiledMatrix.MAX_TOKENS (64)
        int[] toks = tokens(n, 5, v);
        float[][] ref = new ReferenceModel(ck).forward(toks);
        try (TextModel model = new TextModel(ck, src); KvCache cache = model.createCache(2 * n + passes, KvCacheType.F32)) {
            float[] gemm, inPasses;
            try (SequenceCache s = cache.newSequence()) {
                gemm = model.forward(List.of(new BatchEntry(s, toks, null, true))).getFirst();
            }
            try (SequenceCache s = cache.newSequence()) {
                inPasses = model.forward(List.of(new BatchEntry(s, java.util.Arrays.copyOf(toks, passes), null, true))).getFirst();
            }
            try (SequenceCache s = cache.newSequence()) {
                for (int t = 0; t < toks.length; t++) {
                    float[] step = model.forward(List.of(BatchEntry.of(s, toks[t]))).getFirst();
                    assertEquals(v, step.length);
                    String at = "dim " + c.dim() + ", position " + t;
                    assertTrue(maxAbsDiff(step, 0, ref[t], 0, v) < 2e-4, at + ": decode against the reference by " + maxAbsDiff(step, 0, ref[t], 0, v));
                    assertTrue(maxAbsDiff(step, 0, gemm, t * v, v) < 2e-4, at + ": decode against a prefill of " + n);
                    if (t < passes) assertTrue(maxAbsDiff(step, 0, inPasses, t * v, v) < 2e-4, at + ": decode against a prefill of " + passes);
                }
            }
        }
    }
}
