package jmistral.cli;

import jmistral.ModelFileException;
import jmistral.gguf.GgufFile;
import jmistral.gguf.GgufTensorInfo;
import jmistral.gguf.GgufValue;
import jmistral.gguf.GgufValueType;
import jmistral.safetensors.SafetensorsFile;
import jmistral.safetensors.SafetensorsHeader;
import jmistral.safetensors.SafetensorsIndex;
import jmistral.safetensors.SafetensorsModel;
import jmistral.safetensors.SafetensorsTensorInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code jmistral inspect} shows about one model file: format facts, metadata and a tensor table.
 *
 * @param file       the file
 * @param format     e.g. "GGUF v3" or "safetensors"
 * @param facts      format-level facts (alignment, data offset, size), in display order
 * @param shapeOrder how shapes are listed ("ggml order, innermost first" or "row-major, as stored")
 * @param metadata   metadata entries in file order
 * @param tensors    tensor rows in file order
 */
record FileSummary(Path file, String format, Map<String, Object> facts, String shapeOrder,
                   List<Meta> metadata, List<Tensor> tensors) {

    /** One metadata entry: key, type label (e.g. UINT32, STRING[3072]) and plain Java value. */
    record Meta(String key, String type, Object value) {
    }

    /** One tensor: absolute file offset of its data and its size in bytes. */
    record Tensor(String name, String type, long[] shape, long offset, long bytes) {
    }

    long totalTensorBytes() {
        return tensors.stream().mapToLong(Tensor::bytes).sum();
    }

    /** Summaries for a GGUF file, a safetensors file, a shard index, or a safetensors folder. */
    static List<FileSummary> of(Path path) {
        if (Files.isDirectory(path)) return safetensors(SafetensorsModel.filesOf(path));
        if (!Files.exists(path)) throw new ModelFileException(path, -1, "no such file or folder");
        if (path.getFileName().toString().equals(SafetensorsIndex.FILE_NAME)) {
            return safetensors(SafetensorsModel.filesOf(path.toAbsolutePath().getParent()));
        }
        if (isGguf(path)) return List.of(gguf(path));
        try {
            return safetensors(List.of(path));
        } catch (ModelFileException e) {
            if (path.getFileName().toString().endsWith(".safetensors")) throw e;
            throw new ModelFileException(path, 0, "neither a GGUF file (no \"GGUF\" magic) nor a safetensors file ("
                    + e.getMessage() + ")", e);
        }
    }

    private static boolean isGguf(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new ModelFileException(path, -1, "cannot read: " + e, e);
        }
    }

    static FileSummary gguf(Path path) {
        try (GgufFile g = GgufFile.open(path)) {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("alignment", g.alignment());
            facts.put("data_offset", g.dataOffset());
            facts.put("file_bytes", g.mapping().byteSize());
            List<Meta> metadata = new ArrayList<>();
            for (var e : g.typedMetadata().entrySet()) {
                GgufValue v = e.getValue();
                String type = v.type() == GgufValueType.ARRAY
                        ? v.elementType() + "[" + ValueText.count(v.value()) + "]" : v.type().toString();
                metadata.add(new Meta(e.getKey(), type, v.plain()));
            }
            List<Tensor> tensors = new ArrayList<>();
            for (GgufTensorInfo t : g.tensorInfos()) {
                tensors.add(new Tensor(t.name(), t.type().toString(), t.shape(), g.dataOffset() + t.offset(), t.byteSize()));
            }
            return new FileSummary(path, "GGUF v" + g.version(), facts, "ggml order, innermost first", metadata, tensors);
        }
    }

    private static List<FileSummary> safetensors(List<Path> files) {
        List<FileSummary> out = new ArrayList<>();
        for (Path f : files) {
            SafetensorsHeader h = SafetensorsFile.readHeader(f);
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("data_offset", h.dataStart());
            List<Meta> metadata = h.metadata().entrySet().stream().map(e -> new Meta(e.getKey(), "STRING", e.getValue())).toList();
            List<Tensor> tensors = new ArrayList<>();
            for (SafetensorsTensorInfo t : h.tensors()) {
                tensors.add(new Tensor(t.name(), t.dtype().toString(), t.shape(), h.dataStart() + t.begin(), t.byteSize()));
            }
            out.add(new FileSummary(f, "safetensors", facts, "row-major, as stored", metadata, tensors));
        }
        return out;
    }
}
