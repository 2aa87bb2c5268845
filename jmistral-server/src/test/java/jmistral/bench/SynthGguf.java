package jmistral.bench;

import jmistral.gguf.GgufWriter;
import jmistral.model.TensorNames;
import jmistral.model.TensorNames.LayerPart;
import jmistral.model.TextConfig;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Quantizer;
import jmistral.tokenizer.Tekken;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a random-weight Mistral decoder of any size as a GGUF file with the real Tekken vocabulary,
 * the way users' GGUF files look (llama architecture keys, tokenizer metadata, interleaved q/k).
 * Rows are generated and quantized in parallel and streamed, so a full-width 2-layer model (~2.6 GB
 * in Q8_0) never sits in memory. Weights: uniform in +-sqrt(3/in) (unit-variance activations), the
 * embedding scaled like {@code WeightFormula}'s; rows of control tokens in the output are zero except
 * EOS, so free text rarely holds control tokens.
 */
public final class SynthGguf {
    private SynthGguf() {}

    /** The real vocabulary (Tekken v11 ranks, test resource copied from jmistral-core). */
    public static Tekken tekken() {
        try (InputStream in = SynthGguf.class.getResourceAsStream("/tekken_240718_bpe_ranks.npm.json")) {
            Path tmp = Files.createTempFile("tekken", ".json");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                return Tekken.fromRankList(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small model of the real shape: GQA, head_dim != dim / heads, the full vocabulary. */
    public static TextConfig tiny(int vocab) {
        return new TextConfig(64, 2, 32, 128, 4, 2, 1e-5, 1e9, vocab, 16384);
    }

    /** Mistral Small 3.2's text decoder with only {@code layers} layers. */
    public static TextConfig fullWidth(int layers) {
        return new TextConfig(5120, layers, 128, 32768, 32, 8, 1e-5, 1e9, 131072, 131072);
    }

    public static void write(Path file, TextConfig c, Tekken tekken, GgmlType type, long seed) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "jmistral-synth");
        w.putUInt32("llama.context_length", c.maxSeqLen());
        w.putUInt32("llama.embedding_length", c.dim());
        w.putUInt32("llama.block_count", c.nLayers());
        w.putUInt32("llama.feed_forward_length", c.hiddenDim());
        w.putUInt32("llama.attention.head_count", c.nHeads());
        w.putUInt32("llama.attention.head_count_kv", c.nKvHeads());
        w.putUInt32("llama.attention.key_length", c.headDim());
        w.putUInt32("llama.attention.value_length", c.headDim());
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", (float) c.normEps());
        w.putFloat32("llama.rope.freq_base", (float) c.ropeTheta());
        w.putUInt32("llama.vocab_size", c.vocabSize());
        w.putAllPlain(tekken.toGgufMetadata());

        TensorNames n = TensorNames.GGUF;
        int q = c.nHeads() * c.headDim(), kv = c.nKvHeads() * c.headDim();
        double embGain = Math.sqrt(3) * Math.sqrt(c.dim());
        matrix(w, n.embedding(), c.vocabSize(), c.dim(), type, embGain, seed, null);
        for (int l = 0; l < c.nLayers(); l++) {
            for (LayerPart p : LayerPart.values()) {
                String name = n.layer(l, p);
                switch (p) {
                    case ATTN_NORM, FFN_NORM -> norm(w, name, c.dim());
                    case Q -> matrix(w, name, q, c.dim(), type, Math.sqrt(3), seed, null);
                    case K, V -> matrix(w, name, kv, c.dim(), type, Math.sqrt(3), seed, null);
                    case O -> matrix(w, name, c.dim(), q, type, Math.sqrt(3), seed, null);
                    case GATE, UP -> matrix(w, name, c.hiddenDim(), c.dim(), type, Math.sqrt(3), seed, null);
                    case DOWN -> matrix(w, name, c.dim(), c.hiddenDim(), type, Math.sqrt(3), seed, null);
                }
            }
        }
        norm(w, n.finalNorm(), c.dim());
        int eos = tekken.eos();
        matrix(w, n.output(), c.vocabSize(), c.dim(), type, 7, seed, row -> row < tekken.numSpecial() && row != eos);
        w.write(file);
    }

    private static void norm(GgufWriter w, String name, int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        w.addF32(name, ones, n);
    }

    /** [rows][cols] uniform in +-gain/sqrt(cols), streamed in chunks of rows quantized in parallel. */
    private static void matrix(GgufWriter w, String name, int rows, int cols, GgmlType type, double gain, long seed,
                               java.util.function.IntPredicate zeroRow) {
        long rowBytes = type.bytesFor(cols);
        double scale = gain / Math.sqrt(cols);
        long nameSeed = seed ^ name.hashCode() * 0x9E3779B97F4A7C15L;
        w.addTensor(name, type, new long[] {cols, rows}, (WritableByteChannel out) -> {
            int chunk = Math.max(1, (int) Math.min(rows, (32L << 20) / rowBytes));
            byte[] buf = new byte[(int) (chunk * rowBytes)];
            MemorySegment seg = MemorySegment.ofArray(buf);
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int from = r0, count = Math.min(chunk, rows - r0);
                IntStream.range(0, count).parallel().forEach(i -> {
                    int row = from + i;
                    float[] v = new float[cols];
                    if (zeroRow == null || !zeroRow.test(row)) {
                        SplittableRandom rnd = new SplittableRandom(nameSeed + row * 0xBF58476D1CE4E5B9L);
                        for (int j = 0; j < cols; j++) v[j] = (float) ((2 * rnd.nextDouble() - 1) * scale);
                    }
                    if (type == GgmlType.F32) {
                        for (int j = 0; j < cols; j++) seg.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, (long) i * rowBytes + 4L * j, v[j]);
                    } else {
                        Quantizer.quantizeRow(type, v, 0, cols, seg, i * rowBytes);
                    }
                });
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, (int) (count * rowBytes));
                while (bb.hasRemaining()) out.write(bb);
            }
        });
    }
}
