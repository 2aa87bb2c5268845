package jmistral.engine;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ResponseFormat;
import jmistral.chat.Tool;
import jmistral.chat.ToolChoice;
import jmistral.generate.TokenConstraint;
import jmistral.generate.constraint.Grammar;
import jmistral.generate.constraint.GrammarMatcher;
import jmistral.generate.constraint.TokenVocabulary;
import jmistral.generate.constraint.ToolCallGrammar;
import jmistral.generate.constraint.UnsupportedSchemaException;
import jmistral.generate.constraint.VocabularyTrie;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;

/**
 * The engine's one grammar cache: turns a request's tool choice and response format into the
 * scheduler's per-sequence {@link TokenConstraint} (the constraint engine's grammar, masked over the whole
 * vocabulary):
 * <ul>
 * <li>tool choice required or named (with tools): {@code [TOOL_CALLS]name[ARGS]{json}} with a known name
 *     and arguments valid for its parameters; one call when parallel tool calls are off;</li>
 * <li>otherwise tool choice auto with tools and a JSON response format: calls, or else the JSON;</li>
 * <li>otherwise response format json_object / json_schema: the JSON;</li>
 * <li>otherwise tool choice auto with tools: free text, and arguments valid once a call starts;</li>
 * <li>tool choice none with tools: anything but {@code [TOOL_CALLS]};</li>
 * <li>else no constraint.</li>
 * </ul>
 * Once the grammar is complete only EOS is allowed, so the answer ends there. Compiled matchers are kept
 * (LRU by grammar spec) because they memoize masks across requests with the same schema. Thread-safe.
 */
final class OutputConstraints {
    private static final int CACHED_MATCHERS = 64;

    private final Tekken tekken;
    private final int vocab;
    private final ToolCallGrammar.SpecialIds ids;
    private VocabularyTrie trie;                  // built on the first grammar; guarded by matchers
    private BitSet noToolCalls;                   // guarded by matchers
    private final Map<String, GrammarMatcher> matchers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, GrammarMatcher> e) { return size() > CACHED_MATCHERS; }
    };

    /** @param vocab the model's vocabulary size (at least the tokenizer's) */
    OutputConstraints(Tekken tekken, int vocab) {
        this.tekken = tekken;
        this.vocab = vocab;
        this.ids = new ToolCallGrammar.SpecialIds(tekken.specialId(SpecialTokens.TOOL_CALLS),
                tekken.specialId(SpecialTokens.ARGS), tekken.specialId(SpecialTokens.CALL_ID));
    }

    /**
     * What a request's output must look like: a fresh constraint per sequence, or null for none. The
     * grammar is compiled (or reused) now, so a bad schema is an {@link InvalidRequestException} before
     * anything runs.
     */
    Supplier<TokenConstraint> forRequest(ChatRequest request) {
        ChatOptions o = request.options();
        boolean tools = !request.tools().isEmpty();
        ToolChoice choice = o.toolChoiceFor(tools);
        if (tools && choice.forcesCall()) {
            return toolCalls(request.tools(), choice.mode() == ToolChoice.Mode.NAMED
                    ? new ToolCallGrammar.Choice.Named(choice.name()) : new ToolCallGrammar.Choice.Required(), o.parallelToolCalls());
        }
        ResponseFormat format = o.responseFormat();
        if (tools && choice.mode() == ToolChoice.Mode.AUTO && format.type() != ResponseFormat.Type.TEXT) {
            // the model may call tools first, and answers in the format once it does not
            return toolCalls(request.tools(), new ToolCallGrammar.Choice.AutoOrJson(format.schema()), o.parallelToolCalls());
        }
        switch (format.type()) {
            case JSON_OBJECT -> { return states("json_object", Grammar::jsonObject); }
            case JSON_SCHEMA -> {
                var schema = format.schema();
                return states("schema:" + schema, () -> compile("response_format.json_schema.schema", () -> Grammar.jsonSchema(schema)));
            }
            case TEXT -> { }
        }
        if (tools && choice.mode() == ToolChoice.Mode.AUTO) return toolCalls(request.tools(), new ToolCallGrammar.Choice.Auto(), o.parallelToolCalls());
        if (tools && choice.mode() == ToolChoice.Mode.NONE) {
            BitSet allowed = noToolCalls();
            return () -> new FixedMask(allowed);
        }
        return null;
    }

    /**
     * Compiles a request's tool-call grammar and JSON schema without a model (a front end checking its
     * settings before any work, e.g. on Spark's driver); problems are {@link InvalidRequestException}s
     * naming "tools" or the schema.
     */
    static void check(ChatRequest request) {
        ChatOptions o = request.options();
        boolean tools = !request.tools().isEmpty();
        ToolChoice choice = o.toolChoiceFor(tools);
        if (tools) {
            var grammarTools = request.tools().stream().map(t -> new ToolCallGrammar.Tool(t.name(), t.parameters())).toList();
            ToolCallGrammar.Choice c = switch (choice.mode()) {
                case AUTO -> new ToolCallGrammar.Choice.Auto();
                case NONE -> new ToolCallGrammar.Choice.None();
                case REQUIRED -> new ToolCallGrammar.Choice.Required();
                case NAMED -> new ToolCallGrammar.Choice.Named(choice.name());
            };
            compile("tools", () -> Grammar.toolCalls(grammarTools, c, o.parallelToolCalls(), ToolCallGrammar.SpecialIds.TEKKEN_V11));
        }
        if (o.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA) {
            compile("response_format.json_schema.schema", () -> Grammar.jsonSchema(o.responseFormat().schema()));
        }
    }

    private Supplier<TokenConstraint> toolCalls(List<Tool> tools, ToolCallGrammar.Choice choice, boolean parallel) {
        var grammarTools = tools.stream().map(t -> new ToolCallGrammar.Tool(t.name(), t.parameters())).toList();
        StringBuilder key = new StringBuilder("tools:").append(choice).append(parallel);
        for (Tool t : tools) key.append('|').append(t.name()).append(t.parameters());
        return states(key.toString(), () -> compile("tools", () -> Grammar.toolCalls(grammarTools, choice, parallel, ids)));
    }

    private static Grammar compile(String param, Supplier<Grammar> grammar) {
        try {
            return grammar.get();
        } catch (UnsupportedSchemaException e) {
            // the message names the keyword, where it is, and why (unsupported, invalid value or over a limit)
            throw new InvalidRequestException(param, "Cannot constrain the output: " + e.getMessage() + ".", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(param, "Cannot constrain the output: " + e.getMessage(), e);
        }
    }

    private Supplier<TokenConstraint> states(String key, Supplier<Grammar> grammar) {
        GrammarMatcher m;
        synchronized (matchers) {
            m = matchers.get(key);
        }
        if (m == null || m.outgrown()) {   // memo tables only grow: start over past their budget
            Grammar g = grammar.get();
            synchronized (matchers) {
                if (trie == null) trie = VocabularyTrie.of(TokenVocabulary.of(tekken, vocab));
                m = new GrammarMatcher(g, trie);
                matchers.put(key, m);
            }
        }
        GrammarMatcher matcher = m;
        return matcher::newState;          // a ConstraintState is the scheduler's TokenConstraint
    }

    private BitSet noToolCalls() {
        synchronized (matchers) {
            if (noToolCalls == null) {
                BitSet b = new BitSet(vocab);
                b.set(0, vocab);
                b.clear(ids.toolCalls());
                noToolCalls = b;
            }
            return noToolCalls;
        }
    }

    /** The same allowed set at every step. */
    record FixedMask(BitSet allowed) implements TokenConstraint {
        @Override public BitSet allowedTokens() { return allowed; }
        @Override public void advance(int token) { }
    }
}
