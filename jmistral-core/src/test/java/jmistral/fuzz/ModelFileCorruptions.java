package jmistral.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Corrupted model files made from valid ones: GGUF (truncations, flipped bytes, absurd counts, lengths, types,
 * dimensions and offsets in the fields {@link GgufFields} finds), safetensors (a header that is not JSON, absurd
 * shapes, offsets and dtypes, a lying header length) and config.json (absurd or wrongly typed sizes).
 */
final class ModelFileCorruptions {
    /** A named corrupt input. */
    record Case(String name, byte[] data) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Random random;
    private final Mutations m;

    ModelFileCorruptions(Random random) {
        this.random = random;
        this.m = new Mutations(random);
    }

    List<Case> gguf(byte[] valid, int dataOffset, int n) {
        List<GgufFields.Field> fields = GgufFields.of(valid);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (i % 5) {
                case 0 -> {
                    int cut = random.nextInt(4) == 0 ? random.nextInt(valid.length) : random.nextInt(dataOffset + 1);
                    cases.add(new Case("gguf truncated to " + cut + " bytes", Mutations.truncate(valid, cut)));
                }
                case 1 -> {
                    int k = 1 + random.nextInt(8);
                    cases.add(new Case("gguf with " + k + " header bytes flipped (#" + i + ")", m.flip(valid, 0, dataOffset, k)));
                }
                case 2, 3 -> {
                    GgufFields.Field f = fields.get(random.nextInt(fields.size()));
                    long v = f.kind() == GgufFields.Kind.TYPE && random.nextBoolean() ? random.nextInt(40) : m.absurd(f.value());
                    cases.add(new Case("gguf " + f.kind() + " at " + f.at() + " = " + v + " (was " + f.value() + ")",
                            Mutations.put(valid, f.at(), f.width(), v, ByteOrder.LITTLE_ENDIAN)));
                }
                default -> {
                    int k = 1 + random.nextInt(64);
                    cases.add(new Case("gguf with " + k + " bytes flipped anywhere (#" + i + ")", m.flip(valid, 0, valid.length, k)));
                }
            }
        }
        return cases;
    }

    /** Safetensors files from a valid one whose header JSON is {@code header} and data {@code data}. */
    List<Case> safetensors(byte[] valid, int n) throws Exception {
        long headerLength = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        ObjectNode header = (ObjectNode) JSON.readTree(new String(valid, 8, (int) headerLength, StandardCharsets.UTF_8));
        byte[] data = java.util.Arrays.copyOfRange(valid, 8 + (int) headerLength, valid.length);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (i % 6) {
                case 0 -> {
                    int cut = random.nextInt(8 + (int) headerLength + 16);
                    cases.add(new Case("safetensors truncated to " + cut + " bytes", Mutations.truncate(valid, cut)));
                }
                case 1 -> {
                    long v = Mutations.ABSURD[random.nextInt(Mutations.ABSURD.length)];
                    cases.add(new Case("safetensors header length " + v, Mutations.put(valid, 0, 8, v, ByteOrder.LITTLE_ENDIAN)));
                }
                case 2 -> cases.add(new Case("safetensors header bytes flipped (#" + i + ")",
                        m.flip(valid, 8, 8 + (int) headerLength, 1 + random.nextInt(6))));
                default -> {
                    ObjectNode h = header.deepCopy();
                    String what = mutateTensorEntry(h);
                    cases.add(new Case("safetensors " + what, file(h.toString(), data)));
                }
            }
        }
        return cases;
    }

    /** Changes one field of one tensor entry to something absurd; says what. */
    private String mutateTensorEntry(ObjectNode header) {
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(k -> { if (!k.equals("__metadata__")) names.add(k); });
        String name = names.get(random.nextInt(names.size()));
        ObjectNode t = (ObjectNode) header.get(name);
        switch (random.nextInt(7)) {
            case 0 -> {
                JsonNode v = pick(NODES.textNode("F64"), NODES.textNode("I8"), NODES.textNode("Q4_K"), NODES.textNode(""),
                        NODES.textNode("f32"), NODES.numberNode(7), NODES.nullNode(), NODES.arrayNode());
                t.set("dtype", v);
                return name + " dtype " + v;
            }
            case 1 -> {
                ArrayNode s = NODES.arrayNode();
                switch (random.nextInt(6)) {
                    case 0 -> s.add(-1).add(4);
                    case 1 -> s.add(1L << 40).add(1L << 40);
                    case 2 -> s.add(0x7FFF_FFFF).add(0x7FFF_FFFF).add(0x7FFF_FFFF);
                    case 3 -> s.add("x");
                    case 4 -> s.add(1e300);
                    default -> { for (int d = 0; d < 40; d++) s.add(2); }
                }
                t.set("shape", s);
                return name + " shape " + s;
            }
            case 2 -> {
                ArrayNode o = NODES.arrayNode();
                long a = t.get("data_offsets").get(0).asLong(), b = t.get("data_offsets").get(1).asLong();
                switch (random.nextInt(6)) {
                    case 0 -> o.add(b).add(a);
                    case 1 -> o.add(0).add(1L << 62);
                    case 2 -> o.add(-8).add(b - a - 8);
                    case 3 -> o.add("0").add(b);
                    case 4 -> o.add(a);
                    default -> o.add(a + 1).add(b + 1);
                }
                t.set("data_offsets", o);
                return name + " data_offsets " + o;
            }
            case 3 -> {
                t.remove(pick("dtype", "shape", "data_offsets"));
                return name + " missing a field";
            }
            case 4 -> {
                header.set(name, pick(NODES.textNode("x"), NODES.numberNode(1), NODES.arrayNode(), NODES.nullNode()));
                return name + " not an object";
            }
            case 5 -> {
                ObjectNode meta = NODES.objectNode();
                meta.set("format", pick(NODES.numberNode(1), NODES.objectNode(), NODES.textNode("\u001b[31mred\u0007")));
                header.set("__metadata__", meta);
                return "__metadata__ " + meta;
            }
            default -> {
                ObjectNode copy = t.deepCopy();
                header.set("\u001b]0;title\u0007" + "n".repeat(random.nextInt(3) * 5000), copy);
                return "a tensor with a hostile name";
            }
        }
    }

    /** config.json texts with one absurd or wrongly typed value in its text_config. */
    List<String> hfConfigs(String valid, int n) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode root = (ObjectNode) JSON.readTree(valid);
            ObjectNode text = (ObjectNode) root.get("text_config");
            List<String> keys = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = text.fields(); it.hasNext(); ) keys.add(it.next().getKey());
            String key = keys.get(random.nextInt(keys.size()));
            switch (random.nextInt(3)) {
                case 0 -> text.put(key, Mutations.ABSURD[random.nextInt(Mutations.ABSURD.length)]);
                case 1 -> text.set(key, pick(NODES.textNode("x"), NODES.nullNode(), NODES.numberNode(-3), NODES.numberNode(1e300),
                        NODES.numberNode(0.5), NODES.arrayNode(), NODES.booleanNode(true)));
                default -> text.remove(key);
            }
            out.add(root.toString());
        }
        return out;
    }

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }
}
