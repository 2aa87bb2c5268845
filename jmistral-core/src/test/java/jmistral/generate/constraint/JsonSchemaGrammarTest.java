package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.networknt.schema.Schema;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * For every schema of the corpus (src/test/resources/constraint/schemas.json): known valid documents
 * (written in the grammar's whitespace policy) are accepted byte by byte, known invalid ones rejected,
 * and random walks over the full Tekken vocabulary (uniformly random allowed token until EOS, many
 * seeds) always produce JSON that Jackson parses and the networknt validator accepts.
 */
class JsonSchemaGrammarTest {

    static final int SEEDS = Integer.getInteger("constraint.seeds", 8);
    static final int MAX_STEPS = 1500;
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static List<JsonNode> corpus() throws Exception {
        try (InputStream in = JsonSchemaGrammarTest.class.getResourceAsStream("/constraint/schemas.json")) {
            List<JsonNode> out = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(out::add);
            return out;
        }
    }

    @TestFactory
    Stream<DynamicTest> corpusSchemas() throws Exception {
        VocabularyTrie trie = TekkenTestVocabulary.trie();
        return corpus().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c, trie)));
    }

    private void check(JsonNode c, VocabularyTrie trie) throws Exception {
        String name = c.get("name").asText();
        String schemaJson = c.get("schema").toString();
        Schema validator = ConstraintTestSupport.validator(schemaJson);
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(c.get("schema")), trie);
        for (JsonNode v : c.get("valid")) {
            String doc = v.asText();
            assertEquals(List.of(), ConstraintTestSupport.errors(validator, doc), name + ": corpus doc not valid: " + doc);
            assertTrue(ConstraintTestSupport.acceptsBytes(m, doc), name + ": grammar rejects valid " + doc);
        }
        for (JsonNode v : c.get("invalid")) {
            assertFalse(ConstraintTestSupport.acceptsBytes(m, v.asText()), name + ": grammar accepts invalid " + v.asText());
        }
        if (!c.path("walks").asBoolean(true)) return; // random tokens almost never complete e.g. /ab+c/
        int finished = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            ConstraintTestSupport.Walk w = ConstraintTestSupport.randomWalk(m, seed * 7919L + name.hashCode(), MAX_STEPS);
            if (w.truncated()) continue;
            finished++;
            String text = w.text();
            JsonNode parsed = assertDoesNotThrow(() -> STRICT.readTree(text), name + ": does not parse: " + text);
            assertNotNull(parsed, text);
            assertEquals(List.of(), ConstraintTestSupport.errors(validator, text), name + ": invalid output " + text);
        }
        assertTrue(finished >= SEEDS / 2, name + ": only " + finished + " of " + SEEDS + " walks ended within " + MAX_STEPS + " steps");
    }
}
