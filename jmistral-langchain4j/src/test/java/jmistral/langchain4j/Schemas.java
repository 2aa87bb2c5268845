package jmistral.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validation of the model's JSON by an independent validator (networknt), against the schema as
 * LangChain4j itself writes it for its providers (not through this module's {@link SchemaJson}).
 */
final class Schemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private Schemas() {}

    static void assertValid(JsonSchemaElement schema, JsonNode value) throws Exception {
        String schemaJson = JSON.writeValueAsString(JsonSchemaElementUtils.toMap(schema, false));
        var errors = REGISTRY.getSchema(schemaJson, InputFormat.JSON).validate(JSON.writeValueAsString(value), InputFormat.JSON);
        assertTrue(errors.isEmpty(), value + " is not valid for " + schemaJson + ": " + errors);
    }
}
