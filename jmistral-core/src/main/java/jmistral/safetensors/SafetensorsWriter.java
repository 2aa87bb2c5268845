package jmistral.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jmistral.gguf.ByteSink;
import jmistral.gguf.TensorWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors: one file, or shards plus {@code model.safetensors.index.json} as Hugging Face does.
 * Shapes are row-major (PyTorch order, outermost first). Tensor data streams at write time; the
 * JSON header is padded with spaces so the data starts 8-byte aligned.
 */
public final class SafetensorsWriter {
    private record Pending(String name, SafetensorsDType dtype, long[] shape, long byteSize, TensorWriter data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose bytes (exactly elements x dtype size) are streamed at write time. */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, TensorWriter data) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) throw new IllegalArgumentException("reserved name " + name);
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        long elements = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dim in " + Arrays.toString(shape));
            elements = Math.multiplyExact(elements, d);
        }
        tensors.put(name, new Pending(name, dtype, shape.clone(), Math.multiplyExact(elements, (long) dtype.size), data));
        return this;
    }

    /** Adds float data converted to {@code dtype} (F32, F16 or BF16, round to nearest even). */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, float[] data) {
        if (dtype != SafetensorsDType.F32 && dtype != SafetensorsDType.F16 && dtype != SafetensorsDType.BF16) {
            throw new IllegalArgumentException(name + ": float data cannot be stored as " + dtype + " (use F32, F16 or BF16)");
        }
        float[] copy = data.clone();
        return addChecked(name, dtype, shape, (long) copy.length * dtype.size, out -> FloatEncoder.write(out, dtype, copy));
    }

    /** Adds raw little-endian bytes already in {@code dtype}. */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, byte[] raw) {
        byte[] copy = raw.clone();
        return addChecked(name, dtype, shape, copy.length, out -> ByteSink.writeFully(out, ByteBuffer.wrap(copy)));
    }

    private SafetensorsWriter addChecked(String name, SafetensorsDType dtype, long[] shape, long bytes, TensorWriter data) {
        add(name, dtype, shape, data);
        long expected = tensors.get(name).byteSize();
        if (bytes != expected) {
            tensors.remove(name);
            throw new IllegalArgumentException(name + ": " + bytes + " bytes of data, " + dtype + " " + Arrays.toString(shape) + " needs " + expected);
        }
        return this;
    }

    /** Writes all tensors into one file. */
    public void write(Path file) throws IOException {
        writeFile(file, List.copyOf(tensors.values()));
    }

    /**
     * Writes {@code model-0000N-of-0000M.safetensors} shards of at most {@code maxShardBytes} of tensor
     * data each (a bigger tensor gets a shard of its own) and {@code model.safetensors.index.json}.
     *
     * @return the shard files written
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive");
        List<List<Pending>> shards = new ArrayList<>();
        List<Pending> current = new ArrayList<>();
        long currentBytes = 0;
        for (Pending t : tensors.values()) {
            if (!current.isEmpty() && currentBytes + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteSize();
        }
        if (!current.isEmpty() || shards.isEmpty()) shards.add(current);

        Files.createDirectories(dir);
        ObjectNode index = JSON.createObjectNode();
        ObjectNode weightMap = JSON.createObjectNode();
        long total = 0;
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            writeFile(dir.resolve(name), shards.get(i));
            written.add(dir.resolve(name));
            for (Pending t : shards.get(i)) {
                weightMap.put(t.name(), name);
                total += t.byteSize();
            }
        }
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        Files.writeString(dir.resolve(SafetensorsIndex.FILE_NAME), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index));
        return written;
    }

    private void writeFile(Path file, List<Pending> list) throws IOException {
        byte[] header = header(list);
        ByteSink.writeFile(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            ByteSink.writeFully(ch, len);
            ByteSink.writeFully(ch, ByteBuffer.wrap(header));
            for (Pending t : list) {
                ByteSink.writeTensor(ch, t.name(), t.dtype() + " " + Arrays.toString(t.shape()), t.byteSize(), t.data());
            }
        });
    }

    /** JSON header with contiguous data offsets, padded with spaces to a multiple of 8 bytes. */
    private byte[] header(List<Pending> list) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Pending t : list) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            e.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
