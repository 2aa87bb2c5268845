package jmistral.safetensors;

import jmistral.ModelFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static jmistral.safetensors.SafetensorsTest.rawFile;
import static org.junit.jupiter.api.Assertions.*;

/** Corrupt and hostile safetensors files: each gives a ModelFileException naming the file, offset and problem. */
class SafetensorsHostileTest {
    @TempDir
    Path dir;

    private ModelFileException fails(Path file, String... expected) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafetensorsFile.open(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        return e;
    }

    private Path header(String json, int dataBytes) throws IOException {
        return rawFile(dir.resolve("h.safetensors"), json, new byte[dataBytes]);
    }

    private static String tensor(String dtype, String shape, String offsets) {
        return "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    @Test
    void tooSmallOrEmpty() throws IOException {
        assertEquals(0, fails(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "too small").offset());
        fails(Files.write(dir.resolve("five.safetensors"), new byte[5]), "too small");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).array());
        assertEquals(0, fails(f, "header length", "not between").offset());
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        fails(f, "header length");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        fails(f, "runs past the end", "truncated");
    }

    @Test
    void notJsonOrNotAnObject() throws IOException {
        assertEquals(8, fails(header("[1,2]", 0), "does not start with '{'").offset());
        fails(header("{\"t\": ", 0), "not valid JSON");
        fails(header("{\"t\":1} {}", 0), "not valid JSON");
        fails(header("{\"t\":{},\"t\":{}}", 0), "not valid JSON", "Duplicate");
        fails(header("{\"t\":5}", 0), "'t' is not an object");
        fails(header("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__.k is not a string");
        fails(header("{\"" + "[".repeat(5000) + "\":1}", 0)); // long key: fine JSON, but 1 is not an object
        fails(header("{\"t\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0), "JSON"); // deep nesting
    }

    @Test
    void badEntries() throws IOException {
        fails(header(tensor("F32", "[2]", "[0,8]").replace("\"dtype\":\"F32\",", ""), 8), "no dtype");
        fails(header(tensor("Q4_0", "[2]", "[0,8]"), 8), "unknown dtype 'Q4_0'");
        fails(header(tensor("F32", "[-2]", "[0,8]"), 8), "shape[0] = -2");
        fails(header(tensor("F32", "[2.5]", "[0,8]"), 8), "shape[0] = 2.5");
        fails(header(tensor("F32", "[2]", "[0]"), 8), "data_offsets has 1 entries");
        fails(header(tensor("F32", "2", "[0,8]"), 8), "shape is missing or not an array");
        fails(header(tensor("F32", "[99999999999999999999]", "[0,8]"), 8), "not a non-negative 64-bit integer");
    }

    @Test
    void sizeMustMatchShape() throws IOException {
        fails(header(tensor("F32", "[3]", "[0,8]"), 8), "hold 8 bytes", "needs 12");
        fails(header(tensor("F32", "[2]", "[8,0]"), 8), "needs 8");
        fails(header(tensor("F32", "[4294967296,4294967296,4]", "[0,8]"), 8), "overflows");
    }

    @Test
    void offsetsPastTheEndOrOverlapping() throws IOException {
        ModelFileException e = fails(header(tensor("F32", "[4]", "[0,16]"), 8), "past the end of the file", "truncated");
        assertTrue(e.offset() >= 8, "offset given: " + e.offset());
        fails(header(tensor("F32", "[2]", "[9223372036854775800,9223372036854775807]").replace("[2]", "[1]"), 8), "needs 4");
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        fails(header(two, 12), "'b'", "overlaps tensor 'a'");
    }

    @Test
    void unsupportedDtypeNamesTensorAndDtype() throws IOException {
        Path f = header(tensor("F8_E4M3", "[4]", "[0,4]"), 4);
        fails(f, "'t'", "F8_E4M3", "not support");
        // the header alone still reads (inspect uses it)
        assertEquals(SafetensorsDType.F8_E4M3, SafetensorsFile.readHeader(f).tensors().getFirst().dtype());
    }

    @Test
    void truncatedDataAfterValidHeader() throws IOException {
        Path f = dir.resolve("trunc.safetensors");
        new SafetensorsWriter().add("w", SafetensorsDType.F32, new long[]{8, 8}, new float[64]).write(f);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 1));
        fails(f, "'w'", "past the end");
    }
}
