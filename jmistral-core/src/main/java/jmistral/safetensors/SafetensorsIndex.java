package jmistral.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.ModelFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code model.safetensors.index.json} of a sharded checkpoint:
 * {@code {"metadata": {"total_size": N}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}}.
 *
 * @param file      the index file
 * @param weightMap tensor name -> shard file name (a plain file name in the same folder)
 */
public record SafetensorsIndex(Path file, Map<String, String> weightMap) {
    public static final String FILE_NAME = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Reads and validates a {@value #FILE_NAME}. */
    public static SafetensorsIndex read(Path file) {
        JsonNode root;
        try {
            if (Files.size(file) > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new ModelFileException(file, -1, "index of " + Files.size(file) + " bytes is too large");
            }
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFileException(file, -1, "cannot read the shard index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new ModelFileException(file, -1, "shard index has no \"weight_map\" object");
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (var e : map.properties()) {
            String shard = e.getValue().asText();
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new ModelFileException(file, -1, "weight_map entry for '" + e.getKey() + "' is not a file name in the same folder: " + e.getValue());
            }
            weightMap.put(e.getKey(), shard);
        }
        return new SafetensorsIndex(file, Collections.unmodifiableMap(weightMap));
    }
}
