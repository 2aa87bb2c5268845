package jmistral.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import java.util.Map;

/**
 * LangChain4j's schema tree ({@link JsonSchemaElement}) as a plain JSON schema document, the form the
 * engine's constraint compiler and the prompt's tool definitions take. Written the way OpenAI clients
 * send schemas (LangChain4j's own providers do the same): {@code type} first, then {@code description},
 * object properties in declaration order, definitions under {@code $defs} and references as
 * {@code #/$defs/NAME}.
 */
final class SchemaJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaJson() {}

    /**
     * A tool's parameters: its object schema, or for a tool that takes none the empty object and nothing
     * else (without {@code additionalProperties: false} any keys would be valid, and a model could write one forever).
     */
    static ObjectNode toolParameters(JsonObjectSchema parameters) {
        if (parameters != null) return (ObjectNode) toJson(parameters);
        ObjectNode none = JSON.createObjectNode().put("type", "object");
        none.putObject("properties");
        return none.put("additionalProperties", false);
    }

    static JsonNode toJson(JsonSchemaElement element) {
        return switch (element) {
            case JsonObjectSchema o -> object(o);
            case JsonArraySchema a -> {
                ObjectNode n = typed("array", a.description());
                if (a.items() != null) n.set("items", toJson(a.items()));   // no items: any elements
                yield n;
            }
            case JsonEnumSchema e -> {
                ObjectNode n = typed("string", e.description());
                ArrayNode values = n.putArray("enum");
                e.enumValues().forEach(values::add);
                yield n;
            }
            case JsonStringSchema s -> typed("string", s.description());
            case JsonIntegerSchema i -> typed("integer", i.description());
            case JsonNumberSchema d -> typed("number", d.description());
            case JsonBooleanSchema b -> typed("boolean", b.description());
            case JsonNullSchema ignored -> typed("null", null);
            case JsonReferenceSchema r -> {
                ObjectNode n = JSON.createObjectNode().put("$ref", "#/$defs/" + r.reference());
                if (r.description() != null) n.put("description", r.description());
                yield n;
            }
            case JsonAnyOfSchema any -> {
                ObjectNode n = JSON.createObjectNode();
                if (any.description() != null) n.put("description", any.description());
                ArrayNode branches = n.putArray("anyOf");
                any.anyOf().forEach(b -> branches.add(toJson(b)));
                yield n;
            }
            case JsonRawSchema raw -> parseRaw(raw.schema());
            default -> throw new UnsupportedFeatureException("jmistral cannot map the JSON schema element "
                    + element.getClass().getSimpleName() + " (" + element + ")");
        };
    }

    private static ObjectNode object(JsonObjectSchema o) {
        ObjectNode n = typed("object", o.description());
        ObjectNode properties = n.putObject("properties");
        for (Map.Entry<String, JsonSchemaElement> p : o.properties().entrySet()) properties.set(p.getKey(), toJson(p.getValue()));
        if (o.required() != null) {
            ArrayNode required = n.putArray("required");
            o.required().forEach(required::add);
        }
        if (o.additionalProperties() != null) n.put("additionalProperties", o.additionalProperties());
        if (o.definitions() != null && !o.definitions().isEmpty()) {
            ObjectNode defs = n.putObject("$defs");
            o.definitions().forEach((name, d) -> defs.set(name, toJson(d)));
        }
        return n;
    }

    private static ObjectNode typed(String type, String description) {
        ObjectNode n = JSON.createObjectNode().put("type", type);
        if (description != null) n.put("description", description);
        return n;
    }

    private static JsonNode parseRaw(String schema) {
        try {
            return JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new UnsupportedFeatureException("a JsonRawSchema is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
