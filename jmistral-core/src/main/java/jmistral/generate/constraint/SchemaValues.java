package jmistral.generate.constraint;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks that the keyword values of one schema object are what JSON Schema allows, before the compiler
 * reads them: {@code maxItems: -5}, {@code minLength: -3} or {@code minimum: "x"} would otherwise be
 * read as "no limit" or 0 and silently change what is generated. Counts are also held to
 * {@link JsonSchemaCompiler#MAX_REPEAT} (repetitions are unrolled in the automaton).
 */
final class SchemaValues {
    private SchemaValues() {}

    private static final String[] COUNTS = {"minItems", "maxItems", "minLength", "maxLength"};
    private static final String[] BOUNDS = {"minimum", "maximum"};
    private static final String[] EXCLUSIVE_BOUNDS = {"exclusiveMinimum", "exclusiveMaximum"};

    static void check(JsonNode s, String ptr) {
        for (String kw : COUNTS) {
            JsonNode v = s.get(kw);
            if (v == null) continue;
            // JSON Schema allows 5.0 for an integer; anything else that is not a whole number >= 0 is invalid
            if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() != Math.rint(v.asDouble())) {
                throw UnsupportedSchemaException.invalid(kw, ptr, shown(v) + " is not a non-negative integer");
            }
            if (v.asDouble() > JsonSchemaCompiler.MAX_REPEAT) {
                throw UnsupportedSchemaException.limit(kw, ptr, shown(v) + " is above the limit of " + JsonSchemaCompiler.MAX_REPEAT);
            }
        }
        for (String kw : BOUNDS) {
            JsonNode v = s.get(kw);
            if (v != null && !v.isNumber()) throw UnsupportedSchemaException.invalid(kw, ptr, shown(v) + " is not a number");
        }
        for (String kw : EXCLUSIVE_BOUNDS) {
            JsonNode v = s.get(kw);
            if (v != null && !v.isNumber() && !v.isBoolean()) { // boolean: draft 4
                throw UnsupportedSchemaException.invalid(kw, ptr, shown(v) + " is not a number");
            }
        }
        expect(s, ptr, "pattern", JsonNode::isTextual, "a string");
        expect(s, ptr, "format", JsonNode::isTextual, "a string");
        expect(s, ptr, "$ref", JsonNode::isTextual, "a string");
        expect(s, ptr, "uniqueItems", JsonNode::isBoolean, "a boolean");
        expect(s, ptr, "properties", JsonNode::isObject, "an object");
        expect(s, ptr, "enum", JsonNode::isArray, "an array");
        expect(s, ptr, "prefixItems", JsonNode::isArray, "an array");
        expect(s, ptr, "items", v -> v.isObject() || v.isBoolean() || v.isArray(), "a schema");
        expect(s, ptr, "additionalItems", v -> v.isObject() || v.isBoolean(), "a schema");
        expect(s, ptr, "additionalProperties", v -> v.isObject() || v.isBoolean(), "a schema");
        JsonNode required = s.get("required");
        if (required != null) {
            boolean strings = required.isArray();
            if (strings) for (JsonNode r : required) strings &= r.isTextual();
            if (!strings) throw UnsupportedSchemaException.invalid("required", ptr, shown(required) + " is not an array of strings");
        }
    }

    private static void expect(JsonNode s, String ptr, String kw, java.util.function.Predicate<JsonNode> ok, String what) {
        JsonNode v = s.get(kw);
        if (v != null && !ok.test(v)) throw UnsupportedSchemaException.invalid(kw, ptr, shown(v) + " is not " + what);
    }

    /** The value as JSON, cut short (it goes into a one-line client error). */
    private static String shown(JsonNode v) {
        String t = v.toString();
        return t.length() <= 40 ? t : t.substring(0, 40) + "...";
    }
}
