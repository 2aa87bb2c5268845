package jmistral.safetensors;

import jmistral.MappedFile;
import jmistral.ModelFileException;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, mapped once (64-bit, any size); tensors are views on the mapping.
 * Shapes are given to {@link TensorView} in ggml order, i.e. the file's row-major shape REVERSED
 * (a PyTorch weight [out, in] becomes {in, out}).
 */
public final class SafetensorsFile implements TensorSource {
    private final Path path;
    private final Arena arena;
    private final SafetensorsHeader header;
    private final Map<String, TensorView> tensors;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.header = header;
        Map<String, TensorView> views = new LinkedHashMap<>();
        for (SafetensorsTensorInfo t : header.tensors()) {
            if (t.dtype().ggmlType == null) {
                throw new ModelFileException(path, header.dataStart() + t.begin(), "tensor '" + t.name() + "' has dtype "
                        + t.dtype() + ", which the engine does not support (supported: F32, F16, BF16, F64, I8..I64)");
            }
            MemorySegment data = mapping.asSlice(header.dataStart() + t.begin(), t.byteSize());
            views.put(t.name(), new TensorView(t.name(), t.dtype().ggmlType, t.ggmlShape(), data));
        }
        this.tensors = Collections.unmodifiableMap(views);
    }

    /** Maps and validates a safetensors file; defects give a {@link ModelFileException} naming file and offset. */
    public static SafetensorsFile open(Path path) {
        return MappedFile.open(path, "safetensors",
                (arena, mapping) -> new SafetensorsFile(path, arena, mapping, SafetensorsHeader.read(path, mapping)));
    }

    /** Reads and validates only the header (no tensor views, any dtype allowed), e.g. to describe a file. */
    public static SafetensorsHeader readHeader(Path path) {
        return MappedFile.read(path, "safetensors", mapping -> SafetensorsHeader.read(path, mapping));
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() { return header.metadata(); }

    /** Header entries (row-major shapes, offsets relative to {@link SafetensorsHeader#dataStart()}). */
    public List<SafetensorsTensorInfo> tensorInfos() { return header.tensors(); }

    /** The parsed header (metadata, entries, where the data starts). */
    public SafetensorsHeader header() { return header; }

    @Override
    public Map<String, TensorView> tensors() { return tensors; }

    @Override
    public Path path() { return path; }

    @Override
    public void close() { arena.close(); }

    @Override
    public String toString() {
        return "safetensors " + path + " (" + tensors.size() + " tensors)";
    }
}
