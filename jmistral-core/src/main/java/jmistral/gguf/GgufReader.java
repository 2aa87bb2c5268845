package jmistral.gguf;

import jmistral.Printable;
import jmistral.tensor.GgmlType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the structure of a GGUF v2/v3 file from its mapping. Layout (all little-endian):
 * <pre>
 *   offset 0   4 bytes   magic "GGUF"
 *          4   uint32    version (2 or 3; v1 used 32-bit counts and is refused)
 *          8   uint64    tensor_count
 *         16   uint64    metadata_kv_count
 *         24   metadata: kv_count x { key: GGUF string, uint32 value type, value }
 *              tensor infos: tensor_count x {@link GgufTensorInfo}
 *              zero padding up to a multiple of general.alignment (default 32)
 *   dataOffset tensor data; each tensor at dataOffset + info.offset (offset a multiple of alignment)
 * </pre>
 */
final class GgufReader {
    static final int MAGIC = 0x46554747;           // "GGUF" read as a little-endian uint32
    static final long DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml tensors have at most 4 dimensions (GGML_MAX_DIMS). */
    static final int MAX_DIMS = 4;
    /** Longest metadata key (the GGUF spec's limit: 65535 bytes). */
    static final long MAX_KEY_BYTES = 65535;
    /** Longest tensor name (ggml's own limit is 63 bytes; this leaves room for other writers). */
    static final long MAX_TENSOR_NAME_BYTES = 1024;
    /** Smallest possible tensor info: empty name (8) + n_dims (4) + one dim (8) + type (4) + offset (8). */
    private static final long MIN_TENSOR_INFO_BYTES = 32;
    /** Smallest possible kv: empty key (8) + type (4) + a one-byte value. */
    private static final long MIN_KV_BYTES = 13;

    /** What the header says. */
    record Header(int version, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                  long alignment, long dataOffset) {
    }

    private GgufReader() {
    }

    static Header read(Path file, MemorySegment segment) {
        GgufCursor in = new GgufCursor(file, segment);
        long size = segment.byteSize();
        if (size < 4) throw in.error(0, "file of " + size + " bytes is too small to be a GGUF file");
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.error(0, String.format("bad magic 0x%08x: not a GGUF file (expected \"GGUF\")", magic));
        }
        int version = readVersion(in);
        long tensorCount = in.i64("tensor count");
        long kvCount = in.i64("metadata kv count");
        in.requireCount(kvCount, MIN_KV_BYTES, "metadata kv count");
        in.requireCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");

        Map<String, GgufValue> metadata = readMetadata(in, kvCount);
        long alignment = alignment(in, metadata);
        List<GgufTensorInfo> tensors = readTensorInfos(in, tensorCount);

        // The data section starts at the next multiple of the alignment after the infos.
        long dataOffset = alignUp(in.position(), alignment);
        checkTensorPlacement(in, tensors, alignment, dataOffset, size);
        return new Header(version, Collections.unmodifiableMap(metadata), List.copyOf(tensors), alignment, dataOffset);
    }

    private static int readVersion(GgufCursor in) {
        long at = in.position();
        int version = in.i32("version");
        if (version == 2 || version == 3) return version;
        if (version == 1) {
            throw in.error(at, "GGUF version 1 (32-bit counts, 2023) is not supported; re-convert the model with a current llama.cpp");
        }
        if ((version & 0xFFFF) == 0 && (version >>> 16) != 0) {
            throw in.error(at, "big-endian GGUF (version field " + Integer.toHexString(version) + ") is not supported");
        }
        throw in.error(at, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
    }

    private static Map<String, GgufValue> readMetadata(GgufCursor in, long kvCount) {
        GgufValueReader values = new GgufValueReader(in);
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = in.string("metadata key #" + i, MAX_KEY_BYTES);
            String what = "metadata '" + Printable.name(key) + "'";
            GgufValueType type = values.type(what);
            GgufValue value = values.value(type, what);
            if (metadata.putIfAbsent(key, value) != null) throw in.error(at, "duplicate metadata key '" + Printable.name(key) + "'");
        }
        return metadata;
    }

    private static long alignment(GgufCursor in, Map<String, GgufValue> metadata) {
        GgufValue v = metadata.get(ALIGNMENT_KEY);
        if (v == null) return DEFAULT_ALIGNMENT;
        long a = switch (v.value()) {
            case Integer i -> i;
            case Long l -> l;
            default -> throw in.error(-1, ALIGNMENT_KEY + " has type " + v.type() + ", expected an integer");
        };
        if (a <= 0 || a > (1L << 30) || Long.bitCount(a) != 1) {
            throw in.error(-1, ALIGNMENT_KEY + " = " + a + " is not a power of two between 1 and 2^30");
        }
        return a;
    }

    private static List<GgufTensorInfo> readTensorInfos(GgufCursor in, long tensorCount) {
        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = in.position();
            String name = in.string("tensor #" + i + " name", MAX_TENSOR_NAME_BYTES);
            String what = "tensor '" + Printable.name(name) + "'";
            long dimsAt = in.position();
            int nDims = in.i32(what + " n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw in.error(dimsAt, what + ": n_dims " + Integer.toUnsignedString(nDims) + " is not in 1.." + MAX_DIMS);
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dimAt = in.position();
                shape[d] = in.i64(what + " dim " + d);
                if (shape[d] < 0) {
                    throw in.error(dimAt, what + ": dim " + d + " = " + Long.toUnsignedString(shape[d]) + " is negative as int64");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw in.error(dimAt, what + ": shape " + Arrays.toString(shape) + " has more elements than fit in 64 bits");
                }
            }
            long typeAt = in.position();
            int typeId = in.i32(what + " type");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) throw in.error(typeAt, what + ": unknown ggml type id " + Integer.toUnsignedString(typeId));
            if (shape[0] % type.blockSize != 0) {
                throw in.error(typeAt, what + ": first dim " + shape[0] + " is not a multiple of " + type
                        + "'s block size " + type.blockSize);
            }
            long offset = in.i64(what + " offset");
            if (elements / type.blockSize > Long.MAX_VALUE / type.blockBytes) {
                throw in.error(dimsAt, what + ": " + elements + " elements of " + type + " need more than 2^63 bytes");
            }
            long byteSize = type.bytesFor(elements);
            if (!names.add(name)) throw in.error(at, "duplicate tensor name '" + Printable.name(name) + "'");
            tensors.add(new GgufTensorInfo(name, shape, type, offset, byteSize, at));
        }
        return tensors;
    }

    /** Every tensor aligned, inside the file, and no two overlapping. */
    private static void checkTensorPlacement(GgufCursor in, List<GgufTensorInfo> tensors, long alignment,
                                             long dataOffset, long fileSize) {
        long dataBytes = fileSize - dataOffset; // may be negative for a truncated file
        for (GgufTensorInfo t : tensors) {
            String what = "tensor '" + Printable.name(t.name()) + "'";
            if (t.offset() < 0 || t.offset() % alignment != 0) {
                throw in.error(t.infoOffset(), what + ": data offset " + Long.toUnsignedString(t.offset())
                        + " is not a multiple of the alignment " + alignment);
            }
            if (t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                throw in.error(t.infoOffset(), what + ": " + t.byteSize() + " bytes of data at data offset "
                        + t.offset() + " lie past the end of the file (data section starts at " + dataOffset
                        + ", file has " + fileSize + " bytes): truncated file?");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorInfo prev = byOffset.get(i - 1), t = byOffset.get(i);
            if (t.offset() < prev.offset() + prev.byteSize()) {
                throw in.error(t.infoOffset(), "tensor '" + Printable.name(t.name()) + "' data at +" + t.offset()
                        + " overlaps tensor '" + Printable.name(prev.name()) + "' [+" + prev.offset() + ", +"
                        + (prev.offset() + prev.byteSize()) + ")");
            }
        }
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }
}
