package jmistral.generate.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * A compiled output grammar (pushdown automaton over bytes and special tokens), independent of any
 * vocabulary. Compile once per schema / tool set, then bind to a vocabulary with
 * {@code new GrammarMatcher(grammar, trie)}.
 *
 * <p>Whitespace policy of every JSON grammar here: compact JSON, except that a single optional space
 * may follow each ',' and ':' (so both {@code {"a":1,"b":2}} and {@code {"a": 1, "b": 2}} are
 * accepted); no other whitespace, no newlines, nothing before the value or after it.
 */
public final class Grammar {

    private final Nfa nfa;
    private final String description;

    Grammar(Nfa nfa, String description) {
        this.nfa = nfa;
        this.description = description;
    }

    Nfa nfa() {
        return nfa;
    }

    /** JSON valid against {@code schema} (see {@link JsonSchemaCompiler} for the supported subset). */
    public static Grammar jsonSchema(JsonNode schema) {
        RuleSet rules = new RuleSet();
        int root = rules.declare();
        rules.define(root, new JsonSchemaCompiler(schema, rules).compileRoot());
        return new Grammar(rules.toNfa(), "json_schema");
    }

    /** {@link #jsonSchema(JsonNode)} from the schema's JSON text. */
    public static Grammar jsonSchema(String schemaJson) {
        try {
            return jsonSchema(new ObjectMapper().readTree(schemaJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code response_format: {type: json_object}}: any JSON object. */
    public static Grammar jsonObject() {
        RuleSet rules = new RuleSet();
        int root = rules.declare();
        rules.define(root, JsonGrammar.anyObject(rules));
        return new Grammar(rules.toNfa(), "json_object");
    }

    /** Mistral v11 tool calls; see {@link ToolCallGrammar}. */
    public static Grammar toolCalls(List<ToolCallGrammar.Tool> tools, ToolCallGrammar.Choice choice,
            boolean parallelCalls, ToolCallGrammar.SpecialIds ids) {
        return ToolCallGrammar.build(tools, choice, parallelCalls, ids);
    }

    /** Number of automaton nodes (size diagnostics). */
    public int size() {
        return nfa.nodeCount;
    }

    @Override
    public String toString() {
        return "Grammar[" + description + ", " + nfa.nodeCount + " nodes]";
    }
}
