package jmistral.gguf;

import jmistral.ModelFileException;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Corrupt, truncated and hostile GGUF files, built byte by byte: each must give a ModelFileException that
 * names the file, the offset and what was wrong, never an OutOfMemoryError, another exception or a hang.
 */
class GgufHostileTest {
    @TempDir
    Path dir;

    /** Little-endian byte builder for hand-made files. */
    static final class Raw {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw bytes(byte... b) { out.writeBytes(b); return this; }
        Raw u8(int v) { out.write(v); return this; }
        Raw u32(long v) { return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v)); }
        Raw u64(long v) { return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v)); }
        Raw str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); return u64(b.length).bytes(b); }
        Raw header(long version, long tensors, long kvs) { return bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensors).u64(kvs); }
        Raw pad(int alignment) { while (out.size() % alignment != 0) out.write(0); return this; }
        Raw zeros(int n) { out.writeBytes(new byte[n]); return this; }
        /** A tensor info: name, dims, type id, offset. */
        Raw tensor(String name, long[] dims, int type, long offset) {
            str(name).u32(dims.length);
            for (long d : dims) u64(d);
            return u32(type).u64(offset);
        }
        private Raw put(ByteBuffer b) { out.writeBytes(b.array()); return this; }
        int size() { return out.size(); }
        byte[] toBytes() { return out.toByteArray(); }
    }

    private Path file(Raw raw) throws IOException {
        return Files.write(dir.resolve("bad.gguf"), raw.toBytes());
    }

    /** Opening fails with a ModelFileException naming the file, at {@code offset} (or any, if -2), containing each text. */
    private ModelFileException fails(Path file, long offset, String... expected) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> GgufFile.open(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        if (offset != -2) assertEquals(offset, e.offset(), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void tooSmallAndBadMagic() throws IOException {
        fails(file(new Raw()), 0, "too small");
        fails(file(new Raw().bytes((byte) 'G', (byte) 'G')), 0, "too small");
        fails(file(new Raw().bytes("GGML".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(0).u64(0)), 0, "bad magic", "not a GGUF file");
        fails(file(new Raw().bytes((byte) 'P', (byte) 'K', (byte) 3, (byte) 4).zeros(40)), 0, "bad magic");
    }

    @Test
    void versions() throws IOException {
        fails(file(new Raw().header(1, 0, 0)), 4, "version 1", "not supported");
        fails(file(new Raw().header(4, 0, 0)), 4, "unsupported GGUF version 4");
        fails(file(new Raw().header(0x03000000L, 0, 0)), 4, "big-endian");
        // v2 has the same 64-bit layout as v3
        try (GgufFile g = GgufFile.open(file(new Raw().header(2, 0, 1).str("k").u32(GgufValueType.UINT8.id).u8(5)))) {
            assertEquals(2, g.version());
            assertEquals(5, g.getInt("k"));
        }
    }

    @Test
    void truncatedHeader() throws IOException {
        fails(file(new Raw().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3)), 8, "truncated", "tensor count");
        fails(file(new Raw().header(3, 0, 1)), 24, "truncated", "metadata kv count");
        fails(file(new Raw().header(3, 0, 1).str("key").zeros(2)), -2, "truncated", "'key'");
    }

    @Test
    void absurdCounts() throws IOException {
        fails(file(new Raw().header(3, 0, 1L << 62)), 24, "absurd metadata kv count");
        fails(file(new Raw().header(3, 1L << 62, 0)), 24, "absurd tensor count");
        fails(file(new Raw().header(3, -1, 0)), 24, "absurd tensor count 18446744073709551615");
    }

    @Test
    void absurdStringLengths() throws IOException {
        fails(file(new Raw().header(3, 0, 1).u64(1L << 62).zeros(8)), 24, "string length 4611686018427387904");
        fails(file(new Raw().header(3, 0, 1).u64(-1).zeros(8)), 24, "string length 18446744073709551615");
        fails(file(new Raw().header(3, 0, 1).str("k").u32(GgufValueType.STRING.id).u64(100).zeros(10)), 37, "'k'", "string length 100");
    }

    @Test
    void absurdArrays() throws IOException {
        // 2^40 uint8 elements in a file of a few dozen bytes
        fails(file(new Raw().header(3, 0, 1).str("a").u32(9).u32(GgufValueType.UINT8.id).u64(1L << 40).zeros(16)),
                -2, "'a'", "absurd", "array count 1099511627776");
        // array of strings: each needs >= 8 bytes
        fails(file(new Raw().header(3, 0, 1).str("a").u32(9).u32(GgufValueType.STRING.id).u64(3).zeros(16)), -2, "absurd");
        fails(file(new Raw().header(3, 0, 1).str("a").u32(9).u32(GgufValueType.UINT64.id).u64(-5).zeros(16)), -2, "absurd");
        // unknown element type
        fails(file(new Raw().header(3, 0, 1).str("a").u32(9).u32(77).u64(1).zeros(16)), 37, "unknown metadata value type id 77");
        // nesting deeper than the limit
        Raw deep = new Raw().header(3, 0, 1).str("a").u32(9);
        for (int i = 0; i < 20; i++) deep.u32(GgufValueType.ARRAY.id).u64(1);
        deep.u32(GgufValueType.UINT8.id).u64(0);
        fails(file(deep), -2, "nested deeper than 8");
    }

    @Test
    void badValues() throws IOException {
        fails(file(new Raw().header(3, 0, 1).str("k").u32(13).u64(0)), 33, "unknown metadata value type id 13");
        fails(file(new Raw().header(3, 0, 1).str("b").u32(GgufValueType.BOOL.id).u8(2)), 37, "bool value 2");
        fails(file(new Raw().header(3, 0, 2).str("k").u32(0).u8(1).str("k").u32(0).u8(2)), 38, "duplicate metadata key 'k'");
        fails(file(new Raw().header(3, 0, 1).str("general.alignment").u32(GgufValueType.UINT32.id).u32(24)), -2, "not a power of two");
        fails(file(new Raw().header(3, 0, 1).str("general.alignment").u32(GgufValueType.UINT32.id).u32(0)), -2, "not a power of two");
        fails(file(new Raw().header(3, 0, 1).str("general.alignment").u32(GgufValueType.STRING.id).str("32")), -2, "expected an integer");
    }

    @Test
    void namesAreBoundedAndPrintedEscaped() throws IOException {
        // a tensor name length of 700000 inside a larger file: refused by the name limit, not read as a name
        Raw longName = new Raw().header(3, 1, 0).u64(700_000).zeros(800_000);
        ModelFileException e = fails(file(longName), 24, "tensor #0 name", "above the limit of 1024 bytes");
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        // control bytes and an escape sequence in a key: the message stays one printable line
        String hostile = "k\u001b[2J\nforged line\u0085" + "x".repeat(5000);
        ModelFileException dup = fails(file(new Raw().header(3, 0, 2).str(hostile).u32(0).u8(1).str(hostile).u32(0).u8(2)),
                -2, "duplicate metadata key", "\\x1b[2J\\nforged line\\u0085");
        assertTrue(dup.getMessage().chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), dup.getMessage());
        assertTrue(dup.getMessage().length() < 600, "length " + dup.getMessage().length());
    }

    /** A file with one tensor info and enough data for {@code dataBytes}. */
    private Path oneTensor(long[] dims, int type, long offset, int dataBytes) throws IOException {
        return file(new Raw().header(3, 1, 0).tensor("w", dims, type, offset).pad(32).zeros(dataBytes));
    }

    @Test
    void badTensorInfos() throws IOException {
        long infoAt = 24;
        long nDimsAt = infoAt + 8 + 1;
        fails(oneTensor(new long[0], 0, 0, 0), nDimsAt, "'w'", "n_dims 0");
        fails(oneTensor(new long[]{1, 1, 1, 1, 1}, 0, 0, 4), nDimsAt, "n_dims 5");
        fails(oneTensor(new long[]{1L << 32, 1L << 32, 1L << 32}, 0, 0, 4), nDimsAt + 4 + 8, "more elements than fit in 64 bits");
        fails(oneTensor(new long[]{-4}, 0, 0, 16), nDimsAt + 4, "negative");
        fails(oneTensor(new long[]{4}, 99, 0, 16), nDimsAt + 4 + 8, "unknown ggml type id 99");
        fails(oneTensor(new long[]{4}, 4, 0, 16), nDimsAt + 4 + 8, "unknown ggml type id 4"); // removed Q4_2
        fails(oneTensor(new long[]{31}, GgmlType.Q8_0.id, 0, 64), nDimsAt + 4 + 8, "not a multiple of Q8_0's block size 32");
        fails(oneTensor(new long[]{1L << 60, 4}, GgmlType.F32.id, 0, 64), nDimsAt, "need more than 2^63 bytes");
    }

    @Test
    void tensorDataPlacement() throws IOException {
        fails(oneTensor(new long[]{4}, 0, 4, 64), 24, "'w'", "not a multiple of the alignment 32");
        fails(oneTensor(new long[]{4}, 0, 1L << 40, 64), 24, "past the end of the file");
        fails(oneTensor(new long[]{4}, 0, Long.MAX_VALUE - 31, 64), 24, "past the end of the file"); // aligned, no overflow
        fails(oneTensor(new long[]{4}, 0, -32, 64), 24, "not a multiple of the alignment");
        fails(oneTensor(new long[]{64}, 0, 0, 255), 24, "past the end", "truncated");
        fails(oneTensor(new long[]{1L << 40}, 0, 0, 64), 24, "past the end");
        Raw dup = new Raw().header(3, 2, 0).tensor("w", new long[]{4}, 0, 0);
        int secondAt = dup.size();
        fails(file(dup.tensor("w", new long[]{4}, 0, 32).pad(32).zeros(64)), secondAt, "duplicate tensor name 'w'");
        Raw overlap = new Raw().header(3, 2, 0).tensor("a", new long[]{16}, 0, 0);
        int bAt = overlap.size();
        fails(file(overlap.tensor("b", new long[]{4}, 0, 32).pad(32).zeros(128)), bAt, "'b'", "overlaps tensor 'a'");
    }

    /** A valid file cut at every length fails cleanly; random corruption either opens or fails cleanly. */
    @Test
    void everyTruncationAndRandomCorruptionFailsCleanly() throws IOException {
        Path valid = dir.resolve("valid.gguf");
        new GgufWriter().putString("general.architecture", "llama").putUInt32("n", 7)
                .putStringArray("tokens", Arrays.asList("a", "bb", "ccc")).putFloat32Array("f", new float[]{1, 2})
                .putNestedArray("nested", java.util.List.of(new int[]{1}, java.util.List.of("x")))
                .addF32("w", new float[64], 8, 8).addTensor("q", GgmlType.Q8_0, new long[]{32}, new byte[34])
                .write(valid);
        byte[] all = Files.readAllBytes(valid);
        try (GgufFile g = GgufFile.open(valid)) {
            assertEquals(2, g.tensors().size());
        }
        Path cut = dir.resolve("cut.gguf");
        for (int n = 0; n < all.length - 30; n++) { // the last 30 bytes are the q tensor's padding
            Files.write(cut, Arrays.copyOf(all, n));
            assertThrows(ModelFileException.class, () -> GgufFile.open(cut), "cut at " + n);
        }
        Random rnd = new Random(42);
        Path corrupt = dir.resolve("corrupt.gguf");
        int opened = 0;
        for (int i = 0; i < 200; i++) {
            byte[] b = all.clone();
            for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                int at = rnd.nextInt(Math.min(b.length, 400)); // the header region
                b[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : b[at] ^ (1 << rnd.nextInt(8)));
            }
            Files.write(corrupt, b);
            try (GgufFile g = GgufFile.open(corrupt)) {
                opened++;
                assertNotNull(g.metadata());
            } catch (ModelFileException expected) {
                assertTrue(expected.getMessage().startsWith(corrupt.toString()));
            }
        }
        assertTrue(opened < 200, "corruption was detected at least sometimes");
    }
}
