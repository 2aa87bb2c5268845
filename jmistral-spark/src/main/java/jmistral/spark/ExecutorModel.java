package jmistral.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import jmistral.chat.PromptEncoder;
import jmistral.generate.constraint.Grammar;
import jmistral.generate.constraint.GrammarMatcher;
import jmistral.generate.constraint.TokenVocabulary;
import jmistral.generate.constraint.ToolCallGrammar;
import jmistral.generate.constraint.VocabularyTrie;
import jmistral.hub.ModelResolver;
import jmistral.hub.ResolvedModel;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.vision.ImagePipeline;
import jmistral.tensor.ComputePool;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;

/**
 * A loaded model with what every task needs beside it: the tokenizer, the prompt encoder, the vision
 * tower (opened on the first image), and compiled grammars (JSON schemas and tool calls, cached by their
 * text and shared by all tasks, over one vocabulary trie). Thread-safe.
 */
public final class ExecutorModel {
    private static final int GRAMMAR_CACHE = 64;

    private final LoadedModel model;
    private final Tekken tekken;
    private final PromptEncoder encoder;
    private final ExecutorVision vision;
    private final java.util.List<KvCache> idleCaches = new java.util.ArrayList<>();   // KV memory is reused, not reallocated per task
    private VocabularyTrie trie;                                       // built on first schema
    private final Map<String, GrammarMatcher> grammars = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, GrammarMatcher> e) { return size() > GRAMMAR_CACHE; }
    };

    private ExecutorModel(LoadedModel model, Tekken tekken, ResolvedModel resolved) {
        this.model = model;
        this.tekken = tekken;
        this.encoder = new PromptEncoder(tekken);
        this.vision = new ExecutorVision(resolved, tekken, model.config().dim());
    }

    /** Resolves spec (path or repo id, pulling into the local cache if needed) and maps the weights. */
    static ExecutorModel load(String spec, int threads) {
        if (threads > 0 && ComputePool.shared().threads() != threads) ComputePool.setThreads(threads);
        ResolvedModel resolved = ModelResolver.fromEnvironment().resolve(spec);
        LoadedModel m = ModelLoader.load(resolved.model());
        try {
            Tekken t;
            if (m.ggufMetadata().isPresent()) t = Tekken.fromGgufMetadata(m.ggufMetadata().get());
            else if (m.tekkenJson().isPresent()) t = Tekken.fromTekkenJson(m.tekkenJson().get());
            else if (resolved.tekkenJson().isPresent()) t = Tekken.fromTekkenJson(resolved.tekkenJson().get());
            else throw new IllegalStateException("model " + spec + " has no tokenizer (no GGUF tokenizer metadata, no tekken.json)");
            return new ExecutorModel(m, t, resolved);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public LoadedModel model() { return model; }

    /** A KV cache pool of this many tokens: an idle one left by an earlier task, or a new one. */
    KvCache borrowCache(int tokens) {
        synchronized (idleCaches) {
            for (var it = idleCaches.iterator(); it.hasNext(); ) {
                KvCache c = it.next();
                if ((long) c.totalBlocks() * c.blockSize() >= tokens) { it.remove(); return c; }
            }
        }
        return model.model().createCache(tokens, KvCacheType.F16);
    }

    /** Gives back a cache whose sequences are all closed, for the next task of this JVM. */
    void returnCache(KvCache c) {
        synchronized (idleCaches) { idleCaches.add(c); }
    }

    public Tekken tekken() { return tekken; }

    public PromptEncoder encoder() { return encoder; }

    /** The image pipeline (vision tower opened on first use): mmproj as the param gives it, null = the model's own. */
    public ImagePipeline images(String mmproj) { return vision.pipeline(mmproj); }

    /** The compiled grammar of a JSON schema; throws IllegalArgumentException for a bad or unsupported schema. */
    public GrammarMatcher schemaGrammar(String schemaJson) {
        return compiled(schemaJson, () -> Grammar.jsonSchema(schemaJson));
    }

    /** The compiled tool-call grammar of these tools (OpenAI JSON) under this tool choice. */
    public GrammarMatcher toolGrammar(String toolsJson, String choice, boolean parallelCalls) {
        String key = "\u0000tools " + choice + " " + parallelCalls + "\u0000" + toolsJson;     // never a schema's text
        return compiled(key, () -> {
            var tools = RowPreparer.parseTools(toolsJson);
            var special = new ToolCallGrammar.SpecialIds(tekken.specialId(SpecialTokens.TOOL_CALLS),
                    tekken.specialId(SpecialTokens.ARGS), tekken.specialId(SpecialTokens.CALL_ID));
            return Grammar.toolCalls(ToolChoice.grammarTools(tools), ToolChoice.parse(choice, tools), parallelCalls, special);
        });
    }

    /** One matcher per grammar text: its token masks are computed once and reused by every task. */
    private synchronized GrammarMatcher compiled(String key, java.util.function.Supplier<Grammar> compile) {
        GrammarMatcher g = grammars.get(key);
        if (g == null || g.outgrown()) {   // memo tables only grow: start over past their budget
            Grammar grammar = compile.get();
            if (trie == null) trie = VocabularyTrie.of(vocabulary());
            g = new GrammarMatcher(grammar, trie);
            grammars.put(key, g);
        }
        return g;
    }

    /** The tokenizer as the constraint engine sees it, over the model's vocabulary size. */
    private TokenVocabulary vocabulary() {
        int size = model.config().vocabSize();
        return new TokenVocabulary() {
            @Override public int size() { return size; }
            @Override public byte[] bytes(int id) {
                return id >= tekken.vocabSize() || tekken.isSpecial(id) ? null : tekken.tokenBytes(id);
            }
            @Override public int eosId() { return tekken.eos(); }
        };
    }
}
