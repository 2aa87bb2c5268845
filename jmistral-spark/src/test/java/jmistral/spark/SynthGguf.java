package jmistral.spark;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import jmistral.gguf.GgufWriter;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensor;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Quantizer;
import jmistral.tokenizer.Tekken;

/**
 * Writes a GGUF text model of any size with random weights and the real Tekken vocabulary, streaming one
 * row at a time (a full-width model never sits in memory). Tensor names and shapes come from the
 * synth package; values are uniform in +-gain/sqrt(in), a hash of (tensor, row, column, seed).
 */
final class SynthGguf {
    private SynthGguf() {}

    static void write(Path file, TextConfig c, Tekken tekken, GgmlType type, long seed) throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putString("general.name", "synth");
        w.putUInt32("llama.block_count", c.nLayers()).putUInt32("llama.context_length", c.maxSeqLen())
                .putUInt32("llama.embedding_length", c.dim()).putUInt32("llama.feed_forward_length", c.hiddenDim())
                .putUInt32("llama.attention.head_count", c.nHeads()).putUInt32("llama.attention.head_count_kv", c.nKvHeads())
                .putUInt32("llama.attention.key_length", c.headDim()).putUInt32("llama.attention.value_length", c.headDim())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", (float) c.normEps())
                .putFloat32("llama.rope.freq_base", (float) c.ropeTheta()).putUInt32("llama.vocab_size", c.vocabSize());
        tekken.writeGgufMetadata(w);
        for (SynthTensor t : SynthModel.tensors(c, seed, null, TensorNames.GGUF)) {   // names and shapes only
            if (t.isNorm()) {
                w.addF32(t.name(), t.data().get(), t.ggmlShape());
                continue;
            }
            int rows = (int) t.torchShape()[0], cols = (int) t.torchShape()[1];
            double gain = t.name().equals("token_embd.weight") ? Math.sqrt(3 * c.dim()) : t.name().equals("output.weight") ? 7 : Math.sqrt(3);
            double scale = gain / Math.sqrt(cols);
            long h = t.name().hashCode() * 0x9E3779B97F4A7C15L ^ seed;
            w.addTensor(t.name(), type, t.ggmlShape(), out -> {
                float[] row = new float[cols];
                byte[] bytes = new byte[(int) type.bytesFor(cols)];
                for (int r = 0; r < rows; r++) {
                    long rh = RowSeeds.mix64(h + r);
                    for (int i = 0; i < cols; i++) row[i] = (float) ((2 * ((RowSeeds.mix64(rh + i) >>> 40) / 16777216.0) - 1) * scale);
                    if (type == GgmlType.F32) MemorySegment.copy(row, 0, MemorySegment.ofArray(bytes), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, cols);
                    else Quantizer.quantizeRow(type, row, 0, cols, MemorySegment.ofArray(bytes), 0);
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.hasRemaining()) out.write(b);
                }
            });
        }
        w.write(file);
    }
}
