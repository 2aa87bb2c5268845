package jmistral.server.engine;

import jmistral.generate.TokenConstraint;
import jmistral.generate.constraint.Grammar;
import jmistral.generate.constraint.GrammarMatcher;
import jmistral.generate.constraint.TokenVocabulary;
import jmistral.generate.constraint.ToolCallGrammar;
import jmistral.generate.constraint.UnsupportedSchemaException;
import jmistral.generate.constraint.VocabularyTrie;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.server.ChatCompletionParams.ToolChoiceMode;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns {@code response_format} and {@code tool_choice} into the scheduler's per-sequence
 * {@link TokenConstraint} (the constraint engine's grammar, masked over the whole vocabulary):
 * <ul>
 * <li>tool_choice required/any or a named tool (with tools): {@code [TOOL_CALLS]name[ARGS]{json}} with a
 *     known name and arguments valid for its parameters; one call when parallel_tool_calls is false;</li>
 * <li>otherwise response_format json_object / json_schema: the JSON;</li>
 * <li>otherwise tool_choice auto with tools: free text, and arguments valid once a call starts;</li>
 * <li>tool_choice none with tools: anything but {@code [TOOL_CALLS]};</li>
 * <li>else no constraint.</li>
 * </ul>
 * Once the grammar is complete only EOS is allowed, so the answer ends there. Compiled matchers are
 * kept (LRU by grammar spec) because they memoize masks across requests with the same schema.
 */
final class OutputConstraints {
    private static final int CACHED_MATCHERS = 32;

    private final VocabularyTrie trie;
    private final ToolCallGrammar.SpecialIds ids;
    private final int vocab;
    private final BitSet noToolCalls;
    private final Map<String, GrammarMatcher> matchers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, GrammarMatcher> e) { return size() > CACHED_MATCHERS; }
    };

    OutputConstraints(Tekken tekken) {
        this.trie = VocabularyTrie.of(TokenVocabulary.of(tekken));
        this.ids = new ToolCallGrammar.SpecialIds(tekken.specialId(SpecialTokens.TOOL_CALLS),
                tekken.specialId(SpecialTokens.ARGS), tekken.specialId(SpecialTokens.CALL_ID));
        this.vocab = tekken.vocabSize();
        this.noToolCalls = new BitSet(vocab);
        noToolCalls.set(0, vocab);
        noToolCalls.clear(ids.toolCalls());
    }

    /** What a request's output must look like: a fresh constraint per sequence, or null for none. */
    Supplier<TokenConstraint> forRequest(ChatCompletionParams p) {
        ToolChoiceMode mode = p.toolChoice().mode();
        boolean tools = !p.tools().isEmpty();
        if (tools && (mode == ToolChoiceMode.REQUIRED || mode == ToolChoiceMode.NAMED)) {
            return toolCalls(p, mode == ToolChoiceMode.NAMED ? new ToolCallGrammar.Choice.Named(p.toolChoice().name())
                    : new ToolCallGrammar.Choice.Required());
        }
        switch (p.responseFormat().type()) {
            case JSON_OBJECT -> { return states("json_object", Grammar::jsonObject); }
            case JSON_SCHEMA -> {
                var schema = p.responseFormat().schema();
                if (schema == null) return states("json_object", Grammar::jsonObject);
                return states("schema:" + schema, () -> compile("response_format.json_schema.schema", () -> Grammar.jsonSchema(schema)));
            }
            case TEXT -> { }
        }
        if (tools && mode == ToolChoiceMode.AUTO) return toolCalls(p, new ToolCallGrammar.Choice.Auto());
        if (tools && mode == ToolChoiceMode.NONE) return () -> new FixedMask(noToolCalls);
        return null;
    }

    private Supplier<TokenConstraint> toolCalls(ChatCompletionParams p, ToolCallGrammar.Choice choice) {
        var tools = p.tools().stream().map(t -> new ToolCallGrammar.Tool(t.name(), t.parameters())).toList();
        StringBuilder key = new StringBuilder("tools:").append(choice).append(p.parallelToolCalls());
        for (var t : p.tools()) key.append('|').append(t.name()).append(t.parameters());
        return states(key.toString(), () -> compile("tools", () -> Grammar.toolCalls(tools, choice, p.parallelToolCalls(), ids)));
    }

    private static Grammar compile(String param, Supplier<Grammar> grammar) {
        try {
            return grammar.get();
        } catch (UnsupportedSchemaException e) {
            throw ApiError.invalidRequest(param, "The schema uses '" + e.keyword() + "', which constrained decoding does not support ("
                    + e.getMessage() + ").");
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(param, "Cannot constrain the output: " + e.getMessage());
        }
    }

    /** Compiles (or reuses) the grammar now, so schema errors are a 400 before anything runs. */
    private Supplier<TokenConstraint> states(String key, Supplier<Grammar> grammar) {
        GrammarMatcher m;
        synchronized (matchers) {
            m = matchers.get(key);
        }
        if (m == null || m.outgrown()) {   // memo tables only grow: start over past their budget
            m = new GrammarMatcher(grammar.get(), trie);
            synchronized (matchers) {
                matchers.put(key, m);
            }
        }
        GrammarMatcher matcher = m;
        return matcher::newState;          // a ConstraintState is the scheduler's TokenConstraint
    }

    /** The same allowed set at every step. */
    record FixedMask(BitSet allowed) implements TokenConstraint {
        @Override public BitSet allowedTokens() { return allowed; }
        @Override public void advance(int token) { }
    }
}
