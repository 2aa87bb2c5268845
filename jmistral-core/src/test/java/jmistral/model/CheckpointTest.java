package jmistral.model;

import jmistral.ModelFileException;
import jmistral.model.synth.SynthModel;
import org.junit.jupiter.api.Test;

import static jmistral.model.TinyModels.TINY;
import static org.junit.jupiter.api.Assertions.*;

class CheckpointTest {
    @Test
    void detectsEveryLayout() {
        for (TensorNames layout : TensorNames.ALL) {
            try (MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(TINY, 1, null, layout))) {
                assertSame(layout, TensorNames.detect(src));
                Checkpoint ck = Checkpoint.load(src, TINY);
                assertEquals(layout.rope(), ck.rope());
                assertEquals(TINY.nHeads() * TINY.headDim(), ck.layers()[1].wq().rows());
            }
        }
    }

    @Test
    void listsEveryMissingOrMisshapedTensor() {
        try (MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(TINY, 1, null, TensorNames.GGUF))) {
            src.remove("blk.1.ffn_up.weight");
            src.put("blk.0.attn_k.weight", new long[] {64, 100}, new float[6400]);
            src.remove("output_norm.weight");
            var e = assertThrows(ModelFileException.class, () -> Checkpoint.load(src, TINY));
            String m = e.getMessage();
            assertTrue(m.contains("3 problem(s)"), m);
            assertTrue(m.contains("missing tensor blk.1.ffn_up.weight"), m);
            assertTrue(m.contains("blk.0.attn_k.weight has shape [64, 100], expected [64, 64]"), m);
            assertTrue(m.contains("missing tensor output_norm.weight"), m);
        }
    }

    @Test
    void aLayerCountTheFileCannotHoldIsRefusedBeforeAnyLookup() {
        try (MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(TINY, 1, null, TensorNames.GGUF))) {
            TextConfig huge = new TextConfig(TINY.dim(), 1000, TINY.headDim(), TINY.hiddenDim(), TINY.nHeads(),
                    TINY.nKvHeads(), TINY.normEps(), TINY.ropeTheta(), TINY.vocabSize(), TINY.maxSeqLen());
            var e = assertThrows(ModelFileException.class, () -> Checkpoint.load(src, huge));
            assertTrue(e.getMessage().contains("1000 layers (9000 layer tensors)")
                    && e.getMessage().contains("has only 21 tensors"), e.getMessage());
        }
    }

    @Test
    void unknownLayoutNamesWhatWasSearched() {
        try (MemoryTensorSource src = new MemoryTensorSource(java.util.List.of())) {
            var e = assertThrows(ModelFileException.class, () -> Checkpoint.load(src, TINY));
            assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("model.language_model.embed_tokens.weight"));
        }
    }
}
