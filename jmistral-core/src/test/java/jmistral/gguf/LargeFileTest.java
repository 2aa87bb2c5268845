package jmistral.gguf;

import jmistral.safetensors.SafetensorsFile;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Files beyond 4 GB (sparse, so they take no disk space): tensors past the 2^31 and 2^32 marks are read
 * through the one 64-bit mapping, with the right bytes.
 */
class LargeFileTest {
    static final long FAR = (5L << 30) + 4096;  // 5 GiB + 4 KiB: past 2^31 and 2^32
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @Test
    void ggufTensorBeyond4GiB() throws Exception {
        GgufHostileTest.Raw raw = new GgufHostileTest.Raw().header(3, 2, 0)
                .tensor("near", new long[]{4}, GgmlType.F32.id, 0)
                .tensor("far", new long[]{4, 2}, GgmlType.F32.id, FAR)
                .pad(32);
        long dataOffset = raw.size();
        Path file = dir.resolve("big.gguf");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(raw.toBytes());
            f.setLength(dataOffset + FAR + 32);     // sparse
            f.seek(dataOffset + FAR);
            f.write(floats(1.5f, -2f, 3.25f, 4f, 5f, 6f, 7f, 8.5f));
        }
        try (GgufFile g = GgufFile.open(file)) {
            TensorView far = g.tensors().get("far");
            assertEquals(32, far.data().byteSize());
            assertArrayEquals(new float[]{1.5f, -2f, 3.25f, 4f, 5f, 6f, 7f, 8.5f}, far.data().toArray(F32_LE));
            assertEquals(dataOffset + FAR + 32, g.mapping().byteSize());
        }
    }

    @Test
    void safetensorsTensorBeyond4GiB() throws Exception {
        String json = "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + FAR + "," + (FAR + 8) + "]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            f.write(h);
            f.setLength(8 + h.length + FAR + 8);
            f.seek(8 + h.length + FAR);
            f.write(floats(0.25f, -9f));
        }
        try (SafetensorsFile s = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[]{0.25f, -9f}, s.tensors().get("far").data().toArray(F32_LE));
        }
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }
}
