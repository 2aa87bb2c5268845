package jmistral.spark;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Tools offered to a random-weight model: under toolChoice required (or a tool's name) the tool-call
 * grammar makes every answer a valid call; arguments are checked with an independent JSON-schema
 * validator (networknt) against the tool's parameters.
 */
class ToolCallsTest {
    static final SparkTestSession.Shared S = SparkTestSession.get();

    static final String WEATHER = """
            {"type": "object", "properties": {"city": {"enum": ["Paris", "Rome"]}, "unit": {"enum": ["c", "f"]},
             "days": {"type": "integer", "minimum": 1, "maximum": 7}},
             "required": ["city", "unit"], "additionalProperties": false}""";
    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": %s}},
             {"type": "function", "function": {"name": "ping", "description": "Is the service up?"}}]""".formatted(WEATHER);

    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    static final Map<String, Schema> PARAMETERS = Map.of("get_weather", REGISTRY.getSchema(WEATHER, InputFormat.JSON),
            "ping", REGISTRY.getSchema("{\"type\": \"object\", \"maxProperties\": 0}", InputFormat.JSON));

    MistralTransformer mistral() {
        return new MistralTransformer().setModel(S.model().toString()).setInputCol("prompt").setTools(TOOLS)
                .setTemperature(1.0).setSeed(42).setMaxTokens(40).setBatchSize(4).setMaxContext(512);
    }

    /** Every row ends with tool calls (one per row here: parallel calls would run into maxTokens), each naming a tool with arguments valid for its parameters. */
    static void assertValidCalls(List<Row> out, Set<String> names) throws Exception {
        for (Row r : out) {
            assertNull(r.getAs("error"), () -> "row " + r);
            assertEquals("tool_calls", r.getAs("finish_reason"), () -> "row " + r);
            assertEquals("", r.getAs("text"), "a forced call has no text before it");
            List<Row> calls = r.getList(r.fieldIndex("tool_calls"));
            assertFalse(calls.isEmpty());
            for (Row c : calls) {
                String name = c.getAs("name"), args = c.getAs("arguments");
                assertTrue(names.contains(name), name);
                new ObjectMapper().readTree(args);
                var errors = PARAMETERS.get(name).validate(args, InputFormat.JSON);
                assertTrue(errors.isEmpty(), () -> name + " " + args + ": " + errors);
                assertTrue(((String) c.getAs("id")).matches("[a-zA-Z0-9]{9}"), (String) c.getAs("id"));
            }
        }
    }

    @Test
    void requiredToolChoiceGivesValidCallsInEveryRow() throws Exception {
        List<Row> out = mistral().setToolChoice("required").setParallelToolCalls(false).transform(MistralTransformerTest.prompts()).collectAsList();
        assertEquals(MistralTransformerTest.PROMPTS.size(), out.size());
        assertValidCalls(out, Set.of("get_weather", "ping"));
    }

    @Test
    void aNamedToolIsTheOneCalled() throws Exception {
        List<Row> out = mistral().setToolChoice("get_weather").setParallelToolCalls(false)
                .transform(MistralTransformerTest.prompts().limit(2)).collectAsList();
        assertValidCalls(out, Set.of("get_weather"));
        for (Row r : out) assertEquals(1, r.getList(r.fieldIndex("tool_calls")).size(), "no parallel calls");
    }

    @Test
    void badToolSettingsFailOnTheDriver() {
        var df = MistralTransformerTest.prompts();
        var e = assertThrows(IllegalArgumentException.class, () -> mistral().setToolChoice("send_mail").transform(df));
        assertTrue(e.getMessage().contains("'send_mail' is not auto, none, required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MistralTransformer().setModel(S.model().toString()).setToolChoice("required").transform(df));
        assertTrue(e.getMessage().contains("needs at least one tool"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mistral().setToolChoice("required").setResponseSchema(WEATHER).transform(df));
        assertTrue(e.getMessage().contains("every answer is a tool call"), e.getMessage());
    }
}
