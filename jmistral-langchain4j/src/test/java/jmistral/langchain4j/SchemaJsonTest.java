package jmistral.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.service.output.JsonSchemas;
import jmistral.generate.constraint.Grammar;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The schema tree as JSON, held to LangChain4j's own serializer (what its OpenAI provider sends), and
 * compiled by the engine's constraint compiler.
 */
class SchemaJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Unit { CELSIUS, FAHRENHEIT }

    record Reading(String city, double temperature, Unit unit, List<String> notes, boolean raining) {}

    record Tree(String label, List<Tree> children) {}

    static class Tools {
        @Tool("Weather for a city")
        String weather(@P("the city") String city, @P("days ahead") int days, Unit unit) { return ""; }
    }

    /** What LangChain4j's providers send for the same element (non-strict). */
    private static JsonNode reference(JsonSchemaElement e) {
        return JSON.valueToTree(JsonSchemaElementUtils.toMap(e, false));
    }

    @Test
    void recordSchemasAsLangChain4jWritesThem() {
        for (Class<?> type : List.of(Reading.class, Tree.class)) {
            JsonSchema schema = JsonSchemas.jsonSchemaFrom(type).orElseThrow();
            JsonSchemaElement root = schema.rootElement();
            JsonNode mapped = SchemaJson.toJson(root);
            assertEquals(reference(root), mapped, type.getSimpleName());
            assertNotNull(Grammar.jsonSchema(mapped), "the constraint compiler takes it");
        }
    }

    @Test
    void toolParametersAsLangChain4jWritesThem() {
        ToolSpecification spec = ToolSpecifications.toolSpecificationsFrom(Tools.class).getFirst();
        JsonNode mapped = SchemaJson.toolParameters(spec.parameters());
        assertEquals(reference(spec.parameters()), mapped);
        assertEquals(List.of("city", "days", "unit"), JSON.convertValue(mapped.get("required"), List.class));
    }

    @Test
    void everyElementKind() {
        JsonObjectSchema node = JsonObjectSchema.builder()
                .addProperty("id", JsonIntegerSchema.builder().description("the id").build())
                .addProperty("next", JsonAnyOfSchema.builder().anyOf(JsonReferenceSchema.builder().reference("node").build(),
                        new JsonNullSchema()).build())
                .addProperty("tags", JsonArraySchema.builder().items(new JsonStringSchema()).build())
                .addProperty("free", JsonArraySchema.builder().build())
                .required("id")
                .definitions(Map.of("node", JsonObjectSchema.builder().addStringProperty("name").build()))
                .build();
        JsonNode mapped = SchemaJson.toJson(node);
        JsonNode expected = reference(node);
        // LangChain4j writes "items": {} for an array without items; both mean any elements
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("properties").get("free")).remove("items");
        assertEquals(expected, mapped);
        assertEquals("#/$defs/node", mapped.at("/properties/next/anyOf/0/$ref").asText());
        assertEquals("null", mapped.at("/properties/next/anyOf/1/type").asText());
    }

    @Test
    void additionalPropertiesIsKeptWhenSet() {
        JsonObjectSchema open = JsonObjectSchema.builder().addStringProperty("a").additionalProperties(true).build();
        assertTrue(SchemaJson.toJson(open).get("additionalProperties").booleanValue());
        JsonObjectSchema closed = JsonObjectSchema.builder().addStringProperty("a").additionalProperties(false).build();
        assertFalse(SchemaJson.toJson(closed).get("additionalProperties").booleanValue());
    }

    @Test
    void rawSchemasPassThroughAndBadOnesAreRefused() {
        JsonNode raw = SchemaJson.toJson(JsonRawSchema.from("{\"type\":\"string\",\"maxLength\":3}"));
        assertEquals(3, raw.get("maxLength").intValue());
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> SchemaJson.toJson(JsonRawSchema.from("{not json")));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void toolWithoutParametersTakesAnEmptyObject() {
        JsonNode none = SchemaJson.toolParameters(null);
        assertEquals("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}", none.toString());
    }
}
