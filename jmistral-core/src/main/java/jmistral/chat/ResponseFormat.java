package jmistral.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the answer must look like (OpenAI's {@code response_format}): free text, any JSON object, or JSON
 * valid for a schema. The engine enforces JSON by constrained decoding (a grammar masks the tokens).
 *
 * @param type   TEXT, JSON_OBJECT or JSON_SCHEMA
 * @param name   the schema's name (JSON_SCHEMA; informational)
 * @param schema the JSON schema (JSON_SCHEMA)
 * @param strict OpenAI's flag (constrained decoding is always strict)
 */
public record ResponseFormat(Type type, String name, JsonNode schema, boolean strict) {
    public enum Type { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null, false);
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, false);

    public ResponseFormat {
        Objects.requireNonNull(type, "type");
        if (type == Type.JSON_SCHEMA && (schema == null || !schema.isObject()))
            throw new ChatValidationException("response_format.json_schema.schema", "a JSON schema response format needs a schema object");
    }

    /** JSON valid for {@code schema}. */
    public static ResponseFormat jsonSchema(String name, JsonNode schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, schema, true);
    }

    /** JSON valid for the schema given as JSON text; bad JSON is a ChatValidationException. */
    public static ResponseFormat jsonSchema(String schemaJson) {
        try {
            return jsonSchema("response", PyJson.mapper().readTree(schemaJson));
        } catch (java.io.IOException e) {
            throw new ChatValidationException("response_format.json_schema.schema", "the schema is not valid JSON: " + e.getMessage());
        }
    }
}
