package jmistral.gguf;

import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Writer -> reader round trips: every metadata type, arrays, nested arrays, alignment, several tensor types. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyMetadataTypeRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("unicode", "héllo ✓ 日本")
                .putUInt8("u8", 255).putInt8("i8", -128)
                .putUInt16("u16", 65535).putInt16("i16", -32768)
                .putUInt32("u32", 0xFFFF_FFFFL).putInt32("i32", Integer.MIN_VALUE)
                .putUInt64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1e-5f).putFloat64("f64", Math.PI)
                .putBool("t", true).putBool("f", false)
                .putStringArray("strs", List.of("a", "", "Ġ Ġ"))
                .putUInt8Array("u8s", new int[]{0, 200, 255}).putInt8Array("i8s", new int[]{-1, 7})
                .putUInt16Array("u16s", new int[]{65535}).putInt16Array("i16s", new int[]{-2, 3})
                .putInt32Array("i32s", new int[]{1, -2, 3}).putUInt32Array("u32s", new long[]{0xFFFF_FFFFL, 1})
                .putInt64Array("i64s", new long[]{Long.MAX_VALUE}).putUInt64Array("u64s", new long[]{-1L})
                .putFloat32Array("f32s", new float[]{0.5f, Float.NaN, -0f}).putFloat64Array("f64s", new double[]{1e300})
                .putBoolArray("bools", new boolean[]{true, false, true})
                .putInt32Array("empty", new int[0])
                .putNestedArray("nested", List.of(new int[]{1, 2}, List.of("x", "y"), new float[]{3f},
                        List.of(new long[]{5L}), new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT8, new int[]{9})));
        Path file = dir.resolve("meta.gguf");
        w.write(file);
        try (GgufFile g = GgufFile.open(file)) {
            Map<String, Object> m = g.metadata();
            assertEquals(3, g.version());
            assertEquals(List.of("general.architecture", "unicode", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64",
                    "f32", "f64", "t", "f", "strs", "u8s", "i8s", "u16s", "i16s", "i32s", "u32s", "i64s", "u64s",
                    "f32s", "f64s", "bools", "empty", "nested"), List.copyOf(m.keySet()), "file order kept");
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals("héllo ✓ 日本", m.get("unicode"));
            assertEquals(255, m.get("u8"));
            assertEquals(-128, m.get("i8"));
            assertEquals(65535, m.get("u16"));
            assertEquals(-32768, m.get("i16"));
            assertEquals(0xFFFF_FFFFL, m.get("u32"));
            assertEquals(Integer.MIN_VALUE, m.get("i32"));
            assertEquals(-1L, m.get("u64"));
            assertEquals(Long.MIN_VALUE, m.get("i64"));
            assertEquals(1e-5f, m.get("f32"));
            assertEquals(Math.PI, m.get("f64"));
            assertEquals(true, m.get("t"));
            assertEquals(false, m.get("f"));
            assertEquals(List.of("a", "", "Ġ Ġ"), g.getStringArray("strs"));
            assertArrayEquals(new int[]{0, 200, 255}, (int[]) m.get("u8s"));
            assertArrayEquals(new int[]{-1, 7}, (int[]) m.get("i8s"));
            assertArrayEquals(new int[]{65535}, (int[]) m.get("u16s"));
            assertArrayEquals(new int[]{-2, 3}, (int[]) m.get("i16s"));
            assertArrayEquals(new int[]{1, -2, 3}, (int[]) m.get("i32s"));
            assertArrayEquals(new long[]{0xFFFF_FFFFL, 1}, (long[]) m.get("u32s"));
            assertArrayEquals(new long[]{Long.MAX_VALUE}, (long[]) m.get("i64s"));
            assertArrayEquals(new long[]{-1L}, (long[]) m.get("u64s"));
            assertArrayEquals(new float[]{0.5f, Float.NaN, -0f}, (float[]) m.get("f32s"));
            assertArrayEquals(new double[]{1e300}, (double[]) m.get("f64s"));
            assertArrayEquals(new boolean[]{true, false, true}, (boolean[]) m.get("bools"));
            assertArrayEquals(new int[0], (int[]) m.get("empty"));
            List<?> nested = (List<?>) m.get("nested");
            assertEquals(5, nested.size());
            assertArrayEquals(new int[]{1, 2}, (int[]) nested.get(0));
            assertEquals(List.of("x", "y"), nested.get(1));
            assertArrayEquals(new float[]{3f}, (float[]) nested.get(2));
            assertArrayEquals(new long[]{5L}, (long[]) ((List<?>) nested.get(3)).get(0));
            assertArrayEquals(new int[]{9}, (int[]) nested.get(4));

            // stored types are kept, so a copy is byte-identical
            assertEquals(GgufValueType.UINT8, g.typedMetadata().get("u8").type());
            assertEquals(GgufValueType.UINT32, g.typedMetadata().get("u32s").elementType());
            Path copy = dir.resolve("copy.gguf");
            new GgufWriter().putAll(g).write(copy);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
        }
    }

    @Test
    void plainValuesRoundTripToTheSameJavaValues() throws IOException {
        Map<String, Object> plain = new java.util.LinkedHashMap<>();
        plain.put("s", "x");
        plain.put("i", -3);
        plain.put("u32", 7L);
        plain.put("i64", -7L);
        plain.put("f", 1.5f);
        plain.put("d", 2.5);
        plain.put("b", true);
        plain.put("tokens", List.of("a", "b"));
        plain.put("ints", new int[]{1, 2});
        plain.put("longs", new long[]{3, 4});
        plain.put("floats", new float[]{5f});
        plain.put("nested", List.of(new int[]{1}, List.of("z")));
        Path file = dir.resolve("plain.gguf");
        new GgufWriter().putAllPlain(plain).write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(GgufValueType.UINT32, g.typedMetadata().get("u32").type());
            assertEquals(GgufValueType.INT64, g.typedMetadata().get("i64").type());
            assertEquals(plain.keySet(), g.metadata().keySet());
            for (String k : plain.keySet()) {
                assertTrue(java.util.Objects.deepEquals(plain.get(k), g.metadata().get(k))
                        || k.equals("nested"), k + ": " + g.metadata().get(k));
            }
            List<?> nested = (List<?>) g.metadata().get("nested");
            assertArrayEquals(new int[]{1}, (int[]) nested.get(0));
            assertEquals(List.of("z"), nested.get(1));
        }
    }

    @Test
    void typedGettersConvertAndExplain() throws IOException {
        Path file = dir.resolve("getters.gguf");
        new GgufWriter().putUInt8("small", 7).putUInt64("big", 1L << 40).putFloat64("d", 0.25)
                .putInt32("n", 3).putString("s", "x").write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(7, g.getInt("small"));
            assertEquals(1L << 40, g.getLong("big"));
            assertEquals(0.25f, g.getFloat("d"));
            assertEquals(3f, g.getFloat("n"));
            assertEquals("x", g.findMetadata("s").orElseThrow());
            assertTrue(g.findMetadata("nope").isEmpty());
            var tooBig = assertThrows(jmistral.ModelFileException.class, () -> g.getInt("big"));
            assertTrue(tooBig.getMessage().contains("big"), tooBig.getMessage());
            var missing = assertThrows(jmistral.ModelFileException.class, () -> g.getString("nope"));
            assertTrue(missing.getMessage().contains("getters.gguf") && missing.getMessage().contains("'nope' is missing"), missing.getMessage());
            var mistyped = assertThrows(jmistral.ModelFileException.class, () -> g.getBool("s"));
            assertTrue(mistyped.getMessage().contains("'s' is STRING, expected a bool"), mistyped.getMessage());
            assertThrows(jmistral.ModelFileException.class, () -> g.getStringArray("n"));
        }
    }

    @Test
    void tensorsOfSeveralTypesRoundTripAligned() throws IOException {
        Random rnd = new Random(1);
        float[] f32 = new float[3 * 5];
        for (int i = 0; i < f32.length; i++) f32[i] = rnd.nextFloat();
        byte[] q8 = randomBytes(rnd, (int) GgmlType.Q8_0.bytesFor(64 * 2));
        byte[] q4k = randomBytes(rnd, (int) GgmlType.Q4_K.bytesFor(256));
        byte[] f16 = randomBytes(rnd, 2 * 7);
        byte[] bf16 = randomBytes(rnd, 2 * 4 * 2 * 3);
        Path file = dir.resolve("tensors.gguf");
        new GgufWriter().setAlignment(64).putString("general.architecture", "test")
                .addF32("a.f32", f32, 5, 3)
                .addTensor("b.q8_0", GgmlType.Q8_0, new long[]{64, 2}, q8)
                .addTensor("c.q4_k", GgmlType.Q4_K, new long[]{256}, MemorySegment.ofArray(q4k))
                .addTensor("d.f16", GgmlType.F16, new long[]{7}, out -> ByteSink.writeFully(out, ByteBuffer.wrap(f16)))
                .addTensor("e.bf16", GgmlType.BF16, new long[]{4, 2, 3, 1}, bf16)
                .addTensor("f.empty", GgmlType.F32, new long[]{0}, new byte[0])
                .write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(64, g.alignment());
            assertEquals(0, g.dataOffset() % 64);
            assertEquals(List.of("a.f32", "b.q8_0", "c.q4_k", "d.f16", "e.bf16", "f.empty"), List.copyOf(g.tensors().keySet()));
            for (GgufTensorInfo info : g.tensorInfos()) assertEquals(0, info.offset() % 64, info.name());
            TensorView a = g.tensors().get("a.f32");
            assertArrayEquals(new long[]{5, 3}, a.shape());
            assertEquals(GgmlType.F32, a.type());
            assertArrayEquals(f32, a.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            assertBytes(g, "b.q8_0", GgmlType.Q8_0, new long[]{64, 2}, q8);
            assertBytes(g, "c.q4_k", GgmlType.Q4_K, new long[]{256}, q4k);
            assertBytes(g, "d.f16", GgmlType.F16, new long[]{7}, f16);
            assertBytes(g, "e.bf16", GgmlType.BF16, new long[]{4, 2, 3, 1}, bf16);
            assertBytes(g, "f.empty", GgmlType.F32, new long[]{0}, new byte[0]);
        }
    }

    @Test
    void writerRejectsWrongSizesAndShapes() throws IOException {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x", GgmlType.F32, new long[]{4}, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[]{31}, new byte[34]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d", GgmlType.F32, new long[]{1, 1, 1, 1, 1}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> w.addF32("f", new float[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.setAlignment(24));
        w.addF32("ok", new float[2], 2);
        assertThrows(IllegalArgumentException.class, () -> w.addF32("ok", new float[2], 2), "duplicate name");
        // a streaming writer that writes too little is caught and the partial file removed
        w.addTensor("short", GgmlType.F32, new long[]{4}, out -> ByteSink.writeFully(out, ByteBuffer.allocate(8)));
        Path file = dir.resolve("bad.gguf");
        IOException e = assertThrows(IOException.class, () -> w.write(file));
        assertTrue(e.getMessage().contains("'short'"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    private static void assertBytes(GgufFile g, String name, GgmlType type, long[] shape, byte[] expected) {
        TensorView t = g.tensors().get(name);
        assertEquals(type, t.type(), name);
        assertArrayEquals(shape, t.shape(), name);
        assertArrayEquals(expected, t.data().toArray(ValueLayout.JAVA_BYTE), name);
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
