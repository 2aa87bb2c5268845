package jmistral.gguf;

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
import java.util.Optional;

/**
 * An open GGUF v2/v3 file: its metadata and its tensors, all views on ONE read-only mapping of the
 * whole file (64-bit offsets throughout, so files far beyond 2 GB work). Closing unmaps the file.
 *
 * <p>{@link #metadata()} gives values in file order with these Java types: UINT8/INT8/UINT16/INT16/INT32
 * -> Integer; UINT32/INT64/UINT64 -> Long; FLOAT32 -> Float; FLOAT64 -> Double; BOOL -> Boolean;
 * STRING -> String; arrays of STRING -> List&lt;String&gt;; of UINT8/INT8/UINT16/INT16/INT32 -> int[];
 * of UINT32/INT64/UINT64 -> long[]; FLOAT32 -> float[]; FLOAT64 -> double[]; BOOL -> boolean[];
 * arrays of arrays -> List&lt;Object&gt; of those.
 */
public final class GgufFile implements TensorSource {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufReader.Header header;
    private final Map<String, Object> metadata;
    private final Map<String, TensorView> tensors;
    private final Map<String, GgufTensorInfo> tensorInfos;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufReader.Header header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        Map<String, Object> values = new LinkedHashMap<>();
        header.metadata().forEach((k, v) -> values.put(k, v.plain()));
        this.metadata = Collections.unmodifiableMap(values);
        Map<String, TensorView> views = new LinkedHashMap<>();
        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (GgufTensorInfo t : header.tensors()) {
            MemorySegment data = mapping.asSlice(header.dataOffset() + t.offset(), t.byteSize());
            views.put(t.name(), new TensorView(t.name(), t.type(), t.shape().clone(), data));
            infos.put(t.name(), t);
        }
        this.tensors = Collections.unmodifiableMap(views);
        this.tensorInfos = Collections.unmodifiableMap(infos);
    }

    /** Maps and parses a GGUF file; any defect gives a {@link ModelFileException} naming file and offset. */
    public static GgufFile open(Path path) {
        return MappedFile.open(path, "GGUF",
                (arena, mapping) -> new GgufFile(path, arena, mapping, GgufReader.read(path, mapping)));
    }

    /** GGUF format version (2 or 3). */
    public int version() { return header.version(); }

    /** All metadata values in file order (Java types: see the class comment). */
    public Map<String, Object> metadata() { return metadata; }

    /** Metadata with the stored types (needed to copy metadata faithfully into a {@link GgufWriter}). */
    public Map<String, GgufValue> typedMetadata() { return header.metadata(); }

    /** Alignment of tensor data (general.alignment, default 32). */
    public long alignment() { return header.alignment(); }

    /** File offset of the tensor data section. */
    public long dataOffset() { return header.dataOffset(); }

    /** Tensor-info entries in file order (offsets relative to {@link #dataOffset()}). */
    public List<GgufTensorInfo> tensorInfos() { return header.tensors(); }

    /** The tensor-info entry named {@code name}, or null. */
    public GgufTensorInfo tensorInfo(String name) { return tensorInfos.get(name); }

    /** The whole file's mapping. */
    public MemorySegment mapping() { return mapping; }

    @Override
    public Map<String, TensorView> tensors() { return tensors; }

    @Override
    public Path path() { return path; }

    @Override
    public void close() { arena.close(); }

    // ---- typed metadata getters -------------------------------------------------------------

    /**
     * The metadata value for {@code key}, if any. (Not {@code find(String)}: that is
     * {@link TensorSource#find(String)}, which returns a tensor.)
     */
    public Optional<Object> findMetadata(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** A STRING value; a missing key or another type is a {@link ModelFileException}, as for every getter here. */
    public String getString(String key) {
        return switch (require(key)) {
            case String s -> s;
            case Object o -> throw mistyped(key, "a string");
        };
    }

    /** Any integer type whose value fits in an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ModelFileException(path, -1, "metadata '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    /** Any integer type. */
    public long getLong(String key) {
        return switch (require(key)) {
            case Integer i -> i;
            case Long l -> l;
            case Object o -> throw mistyped(key, "an integer");
        };
    }

    /** FLOAT32, FLOAT64 or any integer type. */
    public float getFloat(String key) {
        return switch (require(key)) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Integer i -> i;
            case Long l -> l;
            case Object o -> throw mistyped(key, "a number");
        };
    }

    /** A BOOL value. */
    public boolean getBool(String key) {
        return switch (require(key)) {
            case Boolean b -> b;
            case Object o -> throw mistyped(key, "a bool");
        };
    }

    /** An ARRAY of STRING (e.g. tokenizer.ggml.tokens). */
    @SuppressWarnings("unchecked")
    public List<String> getStringArray(String key) {
        GgufValue v = header.metadata().get(key);
        if (v == null) throw missing(key);
        if (v.type() != GgufValueType.ARRAY || v.elementType() != GgufValueType.STRING) throw mistyped(key, "an array of strings");
        return (List<String>) v.value();
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) throw missing(key);
        return v;
    }

    private ModelFileException missing(String key) {
        return new ModelFileException(path, -1, "metadata key '" + key + "' is missing");
    }

    private ModelFileException mistyped(String key, String expected) {
        GgufValue v = header.metadata().get(key);
        String actual = v.type() == GgufValueType.ARRAY ? "array of " + v.elementType() : v.type().toString();
        return new ModelFileException(path, -1, "metadata '" + key + "' is " + actual + ", expected " + expected);
    }

    @Override
    public String toString() {
        return "GGUF v" + version() + " " + path + " (" + metadata.size() + " metadata, " + tensors.size() + " tensors)";
    }
}
