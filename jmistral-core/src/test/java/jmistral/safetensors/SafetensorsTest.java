package jmistral.safetensors;

import jmistral.ModelFileException;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Reading hand-built files (the spec's layout), writer round trips, sharded folders. */
class SafetensorsTest {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** A file laid out by hand: uint64 LE header length, JSON, data. */
    static Path rawFile(Path file, String json, byte[] data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    static byte[] f32le(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        // w: [2, 3] row-major F32 = 0..5, then b: [3] BF16 = 1, -2, 0.5 (bf16 bits 0x3F80, 0xC000, 0x3F00)
        byte[] data = new byte[24 + 6];
        System.arraycopy(f32le(0, 1, 2, 3, 4, 5), 0, data, 0, 24);
        ByteBuffer.wrap(data, 24, 6).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3F80).putShort((short) 0xC000).putShort((short) 0x3F00);
        Path f = rawFile(dir.resolve("hand.safetensors"),
                "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]}}   ", data);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), s.metadata());
            assertEquals(List.of("w", "b"), List.copyOf(s.tensors().keySet()));
            TensorView w = s.tensors().get("w");
            assertEquals(GgmlType.F32, w.type());
            assertArrayEquals(new long[]{3, 2}, w.shape(), "ggml order = reversed");
            assertEquals(3, w.cols());
            assertEquals(2, w.rows());
            assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, w.data().toArray(F32_LE));
            TensorView b = s.tensors().get("b");
            assertEquals(GgmlType.BF16, b.type());
            assertEquals((short) 0xC000, b.data().get(I16_LE, 2));
        }
    }

    @Test
    void writerRoundTripsF32F16Bf16() throws IOException {
        float[] values = {1f, -2.5f, 0.15625f, 1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 65504f, 1e-3f, -0f};
        Path f = dir.resolve("rt.safetensors");
        new SafetensorsWriter().putMetadata("format", "pt")
                .add("a.f32", SafetensorsDType.F32, new long[]{2, 4}, values)
                .add("a.f16", SafetensorsDType.F16, new long[]{8}, values)
                .add("a.bf16", SafetensorsDType.BF16, new long[]{4, 2}, values)
                .add("raw", SafetensorsDType.I8, new long[]{3}, new byte[]{1, -1, 7})
                .write(f);
        assertEquals(0, (Files.size(f) - 8 - 4 * 8 - 2 * 8 - 2 * 8 - 3) % 8, "header padded to 8 bytes");
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals("pt", s.metadata().get("format"));
            assertArrayEquals(values, s.tensors().get("a.f32").data().toArray(F32_LE));
            assertArrayEquals(new long[]{4, 2}, s.tensors().get("a.f32").shape());
            short[] f16 = s.tensors().get("a.f16").data().toArray(I16_LE);
            for (int i = 0; i < values.length; i++) assertEquals(Float.floatToFloat16(values[i]), f16[i]);
            short[] bf16 = s.tensors().get("a.bf16").data().toArray(I16_LE);
            float[] back = new float[bf16.length];
            for (int i = 0; i < bf16.length; i++) back[i] = Float.intBitsToFloat(bf16[i] << 16);
            // exact where representable; halfway cases round to even (1 + 2^-8 -> 1, 1 + 3*2^-8 -> 1 + 2^-6)
            assertArrayEquals(new float[]{1f, -2.5f, 0.15625f, 1f, 1f + 0x1p-6f, 65536f, back[6], -0f}, back);
            assertEquals(1e-3f, back[6], 1e-3f / 128);
            assertEquals(GgmlType.I8, s.tensors().get("raw").type());
            assertArrayEquals(new byte[]{1, -1, 7}, s.tensors().get("raw").data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void shardedWriteOpensAsOneModel() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = 0; i < 5; i++) w.add("layers." + i + ".w", SafetensorsDType.F32, new long[]{4, 4}, new float[16]);
        w.add("big", SafetensorsDType.F32, new long[]{64}, new float[64]);
        List<Path> shards = w.writeSharded(dir.resolve("sharded"), 2 * 64); // two 64-byte tensors per shard
        assertEquals(List.of("model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                        "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"),
                shards.stream().map(p -> p.getFileName().toString()).toList());
        SafetensorsIndex index = SafetensorsIndex.read(dir.resolve("sharded/model.safetensors.index.json"));
        assertEquals("model-00004-of-00004.safetensors", index.weightMap().get("big"));
        try (SafetensorsModel m = SafetensorsModel.open(dir.resolve("sharded"))) {
            assertEquals(6, m.tensors().size());
            assertEquals(4, m.files().size());
            assertArrayEquals(new long[]{64}, m.tensors().get("big").shape());
        }
    }

    @Test
    void folderAndFileLayouts() throws IOException {
        Path single = Files.createDirectories(dir.resolve("single"));
        new SafetensorsWriter().add("x", SafetensorsDType.F32, new long[]{1}, new float[]{3f}).write(single.resolve("model.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(single)) {
            assertEquals(3f, m.tensors().get("x").data().get(F32_LE, 0));
        }
        try (SafetensorsModel m = SafetensorsModel.open(single.resolve("model.safetensors"))) {
            assertEquals(1, m.tensors().size());
        }
        // consolidated.safetensors wins over other files when there is no index
        new SafetensorsWriter().add("layers.0.wq", SafetensorsDType.BF16, new long[]{2}, new float[]{1, 2}).write(single.resolve("consolidated.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(single)) {
            assertEquals(List.of("layers.0.wq"), List.copyOf(m.tensors().keySet()));
        }
        // several files without an index are merged; a repeated name is an error
        Path two = Files.createDirectories(dir.resolve("two"));
        new SafetensorsWriter().add("a", SafetensorsDType.F32, new long[]{1}, new float[1]).write(two.resolve("a.safetensors"));
        new SafetensorsWriter().add("b", SafetensorsDType.F32, new long[]{1}, new float[1]).write(two.resolve("b.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(two)) {
            assertEquals(List.of("a", "b"), List.copyOf(m.tensors().keySet()));
        }
        new SafetensorsWriter().add("a", SafetensorsDType.F32, new long[]{1}, new float[1]).write(two.resolve("c.safetensors"));
        var e = assertThrows(ModelFileException.class, () -> SafetensorsModel.open(two));
        assertTrue(e.getMessage().contains("'a' is also in"), e.getMessage());
        var empty = assertThrows(ModelFileException.class, () -> SafetensorsModel.open(Files.createDirectories(dir.resolve("empty"))));
        assertTrue(empty.getMessage().contains("no .safetensors"), empty.getMessage());
    }

    @Test
    void missingShardOrTensorIsAClearError() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        w.add("a", SafetensorsDType.F32, new long[]{16}, new float[16]).add("b", SafetensorsDType.F32, new long[]{16}, new float[16]);
        Path sharded = dir.resolve("s");
        List<Path> shards = w.writeSharded(sharded, 64);
        Files.delete(shards.get(1));
        var e = assertThrows(ModelFileException.class, () -> SafetensorsModel.open(sharded));
        assertTrue(e.getMessage().contains("model.safetensors.index.json") && e.getMessage().contains("'model-00002-of-00002.safetensors'")
                && e.getMessage().contains("missing"), e.getMessage());
        // the index names a tensor its shard does not hold
        new SafetensorsWriter().add("other", SafetensorsDType.F32, new long[]{16}, new float[16]).write(shards.get(1));
        e = assertThrows(ModelFileException.class, () -> SafetensorsModel.open(sharded));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("not in this shard"), e.getMessage());
        // an index pointing outside the folder
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../evil.safetensors\"}}");
        e = assertThrows(ModelFileException.class, () -> SafetensorsModel.open(sharded));
        assertTrue(e.getMessage().contains("not a file name in the same folder"), e.getMessage());
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"weight_map\":");
        assertThrows(ModelFileException.class, () -> SafetensorsModel.open(sharded));
    }

    @Test
    void writerChecksSizes() {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThrows(IllegalArgumentException.class, () -> w.add("x", SafetensorsDType.F32, new long[]{2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> w.add("x", SafetensorsDType.I32, new long[]{1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.add("x", SafetensorsDType.F16, new long[]{2}, new byte[3]));
        w.add("x", SafetensorsDType.F32, new long[]{1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.add("x", SafetensorsDType.F32, new long[]{1}, new float[1]));
        w.add("s", SafetensorsDType.F32, new long[]{4}, out -> out.write(ByteBuffer.allocate(4)));
        Path f = dir.resolve("short.safetensors");
        var e = assertThrows(IOException.class, () -> w.write(f));
        assertTrue(e.getMessage().contains("'s'"), e.getMessage());
        assertFalse(Files.exists(f));
    }
}
