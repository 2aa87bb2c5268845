package jmistral.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static jmistral.tensor.GgmlType.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Opens the GGUF files llama.cpp wrote (test fixtures) and checks them against references that do not
 * come from this reader: the geometry in zoo/model.json, the formula's first values and SHA-256 in
 * formula-spot-checks.json, and per-tensor types read with an independent Python parser.
 */
class GgufFixtureTest {
    static final Path FIXTURES = resource("fixtures/llamacpp");
    static final ObjectMapper JSON = new ObjectMapper();

    static Path resource(String name) {
        try {
            return Path.of(GgufFixtureTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> zooTypes() {
        return Stream.of("F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M",
                "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS");
    }

    @Test
    void everyZooFileIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES.resolve("zoo"))) {
            List<String> found = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf"))
                    .map(n -> n.substring(4, n.length() - 5)).sorted().toList();
            assertEquals(zooTypes().sorted().toList(), found);
        }
    }

    /** Expected per-tensor types (from llama-quantize's rules; read back with an independent parser). */
    static GgmlType expectedType(String file, String tensor) {
        if (tensor.endsWith("norm.weight")) return F32;
        boolean output = tensor.equals("output.weight");
        boolean layer1 = tensor.startsWith("blk.1.");
        boolean v = tensor.endsWith("attn_v.weight"), down = tensor.endsWith("ffn_down.weight"),
                out = tensor.endsWith("attn_output.weight");
        return switch (file) {
            case "F16" -> F16;
            case "BF16" -> BF16;
            case "Q8_0" -> Q8_0;
            case "Q6_K" -> Q6_K;
            case "Q4_0" -> output ? Q6_K : Q4_0;
            case "Q4_1" -> output ? Q6_K : Q4_1;
            case "Q5_0" -> output ? Q6_K : Q5_0;
            case "Q5_1" -> output ? Q6_K : Q5_1;
            case "IQ4_NL" -> output ? Q6_K : IQ4_NL;
            case "IQ4_XS" -> output ? Q6_K : IQ4_XS;
            case "Q2_K" -> output ? Q6_K : (v || down || out) ? Q3_K : Q2_K;
            case "Q3_K_M" -> output ? Q6_K : v ? Q5_K : (down || out) ? Q4_K : Q3_K;
            case "Q4_K_M" -> output || (layer1 && (v || down)) ? Q6_K : Q4_K;
            case "Q5_K_M" -> output || (layer1 && (v || down)) ? Q6_K : Q5_K;
            default -> throw new IllegalArgumentException(file);
        };
    }

    /** Tensor names and ggml-order shapes from the zoo's geometry. */
    static Map<String, long[]> expectedZooShapes(JsonNode m) {
        long hidden = m.get("hidden").asLong(), ffn = m.get("ffn").asLong(), vocab = m.get("vocab").asLong();
        long q = m.get("heads").asLong() * m.get("head_dim").asLong();
        long kv = m.get("kv_heads").asLong() * m.get("head_dim").asLong();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("token_embd.weight", new long[]{hidden, vocab});
        shapes.put("output_norm.weight", new long[]{hidden});
        shapes.put("output.weight", new long[]{hidden, vocab});
        for (int l = 0; l < m.get("layers").asInt(); l++) {
            String b = "blk." + l + ".";
            shapes.put(b + "attn_norm.weight", new long[]{hidden});
            shapes.put(b + "attn_q.weight", new long[]{hidden, q});
            shapes.put(b + "attn_k.weight", new long[]{hidden, kv});
            shapes.put(b + "attn_v.weight", new long[]{hidden, kv});
            shapes.put(b + "attn_output.weight", new long[]{q, hidden});
            shapes.put(b + "ffn_norm.weight", new long[]{hidden});
            shapes.put(b + "ffn_gate.weight", new long[]{hidden, ffn});
            shapes.put(b + "ffn_up.weight", new long[]{hidden, ffn});
            shapes.put(b + "ffn_down.weight", new long[]{ffn, hidden});
        }
        return shapes;
    }

    @ParameterizedTest
    @MethodSource("zooTypes")
    void zooFileOpensWithExpectedMetadataAndTensors(String type) throws Exception {
        JsonNode model = JSON.readTree(FIXTURES.resolve("zoo/model.json").toFile()).get("model");
        JsonNode spot = JSON.readTree(FIXTURES.resolve("formula-spot-checks.json").toFile()).get("zoo");
        Path file = FIXTURES.resolve("zoo/zoo-" + type + ".gguf");
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(3, g.version());
            assertEquals(32, g.alignment());
            assertEquals(0, g.dataOffset() % 32);
            assertEquals(model.get("arch").asText(), g.getString("general.architecture"));
            assertEquals(model.get("hidden").asInt(), g.getInt("llama.embedding_length"));
            assertEquals(model.get("layers").asInt(), g.getInt("llama.block_count"));
            assertEquals(model.get("heads").asInt(), g.getInt("llama.attention.head_count"));
            assertEquals(model.get("kv_heads").asInt(), g.getInt("llama.attention.head_count_kv"));
            assertEquals(model.get("head_dim").asInt(), g.getInt("llama.attention.key_length"));
            assertEquals(model.get("ffn").asInt(), g.getInt("llama.feed_forward_length"));
            assertEquals((float) model.get("rope_theta").asDouble(), g.getFloat("llama.rope.freq_base"));
            assertEquals((float) model.get("rms_eps").asDouble(), g.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(Long.class, g.metadata().get("llama.block_count").getClass(), "UINT32 -> Long");
            assertEquals("tekken", g.getString("tokenizer.ggml.pre"));
            List<String> tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(model.get("vocab").asInt(), tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>"), tokens.subList(0, 3));
            int[] tokenTypes = (int[]) g.metadata().get("tokenizer.ggml.token_type");
            assertEquals(tokens.size(), tokenTypes.length);
            assertEquals(3, tokenTypes[0]); // CONTROL
            assertEquals("Ġ Ġ", g.getStringArray("tokenizer.ggml.merges").get(0));
            assertTrue(g.getBool("tokenizer.ggml.add_bos_token"));
            assertEquals(1, g.getInt("tokenizer.ggml.bos_token_id"));

            Map<String, long[]> shapes = expectedZooShapes(model);
            assertEquals(shapes.keySet(), g.tensors().keySet());
            long end = 0;
            for (TensorView t : g.tensors().values()) {
                assertArrayEquals(shapes.get(t.name()), t.shape(), t.name());
                assertEquals(expectedType(type, t.name()), t.type(), t.name());
                assertEquals(t.type().bytesFor(t.elementCount()), t.data().byteSize(), t.name());
                GgufTensorInfo info = g.tensorInfo(t.name());
                end = Math.max(end, g.dataOffset() + info.offset() + info.byteSize());
            }
            assertTrue(Files.size(file) - end < 32, "data runs to the end of the file");

            // The F32 norm matches the formula's SHA-256 exactly: offsets and sizes are right.
            assertEquals(spot.get("output_norm.weight").get("sha256_f32le").asText(),
                    sha256(g.tensors().get("output_norm.weight").data()));
            // F16/BF16 embeddings: the formula's first values, rounded to the type.
            if (type.equals("F16") || type.equals("BF16")) {
                MemorySegment emb = g.tensors().get("token_embd.weight").data();
                JsonNode first4 = spot.get("token_embd.weight").get("first4");
                for (int i = 0; i < 4; i++) {
                    short bits = emb.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i);
                    float value = type.equals("F16") ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16);
                    assertEquals(first4.get(i).asDouble(), value, Math.abs(first4.get(i).asDouble()) / 128, "element " + i);
                }
            }
        }
    }

    @Test
    void mmprojOpensAndF32TensorsMatchTheFormula() throws Exception {
        JsonNode spot = JSON.readTree(FIXTURES.resolve("formula-spot-checks.json").toFile()).get("tiny-a-mmproj");
        try (GgufFile g = GgufFile.open(FIXTURES.resolve("vision-a/tiny-a-mmproj.gguf"))) {
            assertEquals("clip", g.getString("general.architecture"));
            assertEquals("pixtral", g.getString("clip.projector_type"));
            assertEquals(64, g.getInt("clip.vision.embedding_length"));
            assertEquals(14, g.getInt("clip.vision.patch_size"));
            assertTrue(g.getBool("clip.use_silu"));
            float[] mean = (float[]) g.metadata().get("clip.vision.image_mean");
            assertArrayEquals(new float[]{0.48145467f, 0.4578275f, 0.40821072f}, mean);
            assertEquals(25, g.tensors().size());
            assertArrayEquals(new long[]{14, 14, 3, 64}, g.tensors().get("v.patch_embd.weight").shape());
            assertArrayEquals(new long[]{256, 64}, g.tensors().get("mm.patch_merger.weight").shape());
            for (var e : spot.properties()) {
                TensorView t = g.tensors().get(e.getKey());
                assertEquals(GgmlType.F32, t.type());
                // spot-check shapes are PyTorch order: reversed ggml order
                JsonNode shape = e.getValue().get("shape");
                for (int i = 0; i < shape.size(); i++) assertEquals(shape.get(i).asLong(), t.shape()[shape.size() - 1 - i]);
                assertEquals(e.getValue().get("sha256_f32le").asText(), sha256(t.data()), e.getKey());
                assertEquals(e.getValue().get("first4").get(0).floatValue(),
                        t.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
            }
        }
    }

    static String sha256(MemorySegment data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data.asByteBuffer());
        return HexFormat.of().formatHex(md.digest());
    }
}
