package jmistral.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.ModelFileException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file. Layout:
 * <pre>
 *   offset 0      uint64 LE  N = header length in bytes
 *          8      N bytes    UTF-8 JSON object (may be padded with trailing spaces):
 *                            { "__metadata__": {str: str}, "name": {"dtype", "shape", "data_offsets"}, ... }
 *          8 + N             data; each tensor's data_offsets [begin, end) are relative to here
 * </pre>
 * Checked: N sane and inside the file, valid JSON without duplicate keys, known dtypes, non-negative
 * shapes, offsets inside the data, end - begin == elements x dtype size, and no two tensors overlapping.
 *
 * @param metadata  the {@code __metadata__} strings (empty if absent)
 * @param tensors   entries in header order
 * @param dataStart file offset of the data section (8 + N)
 */
public record SafetensorsHeader(Map<String, String> metadata, List<SafetensorsTensorInfo> tensors, long dataStart) {
    /** Same limit as the reference implementation (safetensors' MAX_HEADER_SIZE). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses and validates the header at the start of {@code mapping} (the whole file). */
    public static SafetensorsHeader read(Path file, MemorySegment mapping) {
        long size = mapping.byteSize();
        if (size < 8) throw new ModelFileException(file, 0, "file of " + size + " bytes is too small to be a safetensors file");
        long n = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw new ModelFileException(file, 0, "header length " + Long.toUnsignedString(n)
                    + " is not between 2 and " + MAX_HEADER_BYTES + " bytes: not a safetensors file or corrupt");
        }
        if (n > size - 8) {
            throw new ModelFileException(file, 0, "header length " + n + " runs past the end of the file ("
                    + size + " bytes): truncated file?");
        }
        byte[] json = mapping.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        if (json[0] != '{') throw new ModelFileException(file, 8, "header does not start with '{': not a safetensors file or corrupt");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, 8, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new ModelFileException(file, 8, "header cannot be read: " + e, e);
        }
        if (root == null || !root.isObject()) throw new ModelFileException(file, 8, "header is not a JSON object");
        return parse(file, root, 8 + n, size - 8 - n);
    }

    private static SafetensorsHeader parse(Path file, JsonNode root, long dataStart, long dataBytes) {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafetensorsTensorInfo> tensors = new ArrayList<>();
        for (var field : root.properties()) {
            String name = field.getKey();
            JsonNode v = field.getValue();
            if (name.equals(METADATA_KEY)) {
                if (!v.isObject()) throw headerError(file, METADATA_KEY + " is not an object");
                for (var m : v.properties()) {
                    if (!m.getValue().isTextual()) throw headerError(file, METADATA_KEY + "." + m.getKey() + " is not a string");
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            tensors.add(tensor(file, name, v, dataStart, dataBytes));
        }
        checkNoOverlap(file, tensors, dataStart);
        return new SafetensorsHeader(Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataStart);
    }

    private static SafetensorsTensorInfo tensor(Path file, String name, JsonNode v, long dataStart, long dataBytes) {
        String what = "tensor '" + jmistral.Printable.name(name) + "'";
        if (!v.isObject()) throw headerError(file, what + " is not an object");
        JsonNode dtypeNode = v.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw headerError(file, what + " has no dtype string");
        SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.asText());
        if (dtype == null) throw headerError(file, what + " has unknown dtype '" + dtypeNode.asText() + "'");
        long[] shape = longs(file, what + " shape", v.get("shape"), -1);
        long[] offsets = longs(file, what + " data_offsets", v.get("data_offsets"), 2);
        long begin = offsets[0], end = offsets[1];
        long elements = 1;
        try {
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            long expected = Math.multiplyExact(elements, (long) dtype.size);
            if (end < begin || end - begin != expected) {
                throw headerError(file, what + ": data_offsets [" + begin + ", " + end + ") hold " + (end - begin)
                        + " bytes but " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + expected);
            }
        } catch (ArithmeticException e) {
            throw headerError(file, what + ": shape " + java.util.Arrays.toString(shape) + " overflows 64 bits");
        }
        if (end > dataBytes) {
            throw new ModelFileException(file, dataStart + begin, what + ": data [" + (dataStart + begin) + ", "
                    + (dataStart + end) + ") lies past the end of the file (" + (dataStart + dataBytes) + " bytes): truncated file?");
        }
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers (of {@code length} entries unless it is -1). */
    private static long[] longs(Path file, String what, JsonNode node, int length) {
        if (node == null || !node.isArray()) throw headerError(file, what + " is missing or not an array");
        if (length >= 0 && node.size() != length) throw headerError(file, what + " has " + node.size() + " entries, expected " + length);
        if (node.size() > 64) throw headerError(file, what + " has " + node.size() + " dimensions");
        long[] r = new long[node.size()];
        for (int i = 0; i < r.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.asLong() < 0) {
                throw headerError(file, what + "[" + i + "] = " + x + " is not a non-negative 64-bit integer");
            }
            r[i] = x.asLong();
        }
        return r;
    }

    private static void checkNoOverlap(Path file, List<SafetensorsTensorInfo> tensors, long dataStart) {
        List<SafetensorsTensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin).thenComparingLong(SafetensorsTensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            SafetensorsTensorInfo prev = sorted.get(i - 1), t = sorted.get(i);
            if (t.begin() < prev.end()) {
                throw new ModelFileException(file, dataStart + t.begin(), "tensor '" + t.name() + "' data [" + t.begin() + ", "
                        + t.end() + ") overlaps tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ")");
            }
        }
    }

    private static ModelFileException headerError(Path file, String what) {
        return new ModelFileException(file, 8, "header: " + what);
    }
}
