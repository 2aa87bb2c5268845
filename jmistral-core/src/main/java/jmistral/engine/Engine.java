package jmistral.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.logging.Logger;
import jmistral.bench.BenchOptions;
import jmistral.bench.BenchReport;
import jmistral.bench.ModelBench;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.PromptEncoder;
import jmistral.chat.SystemPromptTemplate;
import jmistral.generate.GenerationEvent;
import jmistral.generate.GenerationResult;
import jmistral.generate.LoopGuard;
import jmistral.generate.QueueFullException;
import jmistral.generate.Scheduler;
import jmistral.generate.SchedulerConfig;
import jmistral.generate.SchedulerMetrics;
import jmistral.generate.Speculation;
import jmistral.generate.SequenceHandle;
import jmistral.generate.SequenceRequest;
import jmistral.hub.ModelResolver;
import jmistral.hub.RepoId;
import jmistral.hub.ResolvedModel;
import jmistral.model.KvCache;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.vision.ImagePipeline;
import jmistral.tensor.ComputePool;
import jmistral.tensor.KernelWarmup;
import jmistral.tokenizer.Tekken;

/**
 * The one way to use the model: opens it (weights, tokenizer, vision tower, KV cache, the
 * continuous-batching scheduler) and turns chat requests into chat events. Front ends (CLI, server,
 * Spark, LangChain4j) only translate to and from these types. Thread-safe; close it to free the weights.
 * <pre>
 * try (Engine engine = Engine.open(EngineOptions.of("model.gguf"))) {
 *     ChatResponse r = engine.complete(ChatRequest.of(ChatMessage.User.text("Hello!")));
 *     System.out.println(r.text());
 * }
 * </pre>
 * The engine owns, once for all callers: the prompt encoder, the grammar cache of constrained decoding
 * (JSON schemas, tool calls), the output parser (text and tool calls, parsed on the thread that produces
 * the tokens), the loop guard, the prefix cache and the image-embedding cache.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());

    private final EngineOptions options;
    private final ResolvedModel resolved;
    private final LoadedModel model;
    private final Tekken tekken;                   // null: the files hold no tokenizer (token-level use only)
    private final PromptEncoder encoder;
    private final OutputConstraints constraints;
    private final TokenText tokenText;
    private final VisionTower vision;
    private final KvCache kv;
    private final Scheduler scheduler;
    private final String modelId;
    private final String systemPrompt;
    private final ComputePool pool;                // null: the process-wide pool

    private Engine(EngineOptions o, ResolvedModel resolved, LoadedModel model, Tekken tekken) {
        this.options = o;
        this.resolved = resolved;
        this.model = model;
        this.tekken = tekken;
        this.modelId = o.modelId() != null ? o.modelId() : modelId(resolved);
        this.encoder = tekken == null ? null : new PromptEncoder(tekken);
        this.constraints = tekken == null ? null : new OutputConstraints(tekken, model.config().vocabSize());
        this.tokenText = tekken == null ? null : new TokenText(tekken);
        this.vision = tekken == null ? null : new VisionTower(resolved, o.mmproj(), tekken, model.config().dim());
        this.systemPrompt = o.systemPrompt() != null ? o.systemPrompt()
                : o.modelSystemPrompt() ? modelSystemPrompt(LocalDate.now()).orElse(null) : null;
        this.pool = o.threads() > 0 ? new ComputePool(o.threads()) : null;
        int kvTokens = (int) Math.min(o.contextTokens(), (long) model.config().maxSeqLen() * o.maxParallel());
        this.kv = model.model().createCache(kvTokens, o.kvCacheType());
        try {
            this.scheduler = new Scheduler(model.model(), kv, SchedulerConfig.defaults()
                    .withMaxParallel(o.maxParallel()).withMaxQueue(o.maxQueue()).withMaxContext(o.maxContext())
                    .withPrefixCacheEntries(o.prefixCacheEntries()).withLoopGuard(LoopGuard.Config.DEFAULT)
                    .withSpeculation(Speculation.DEFAULT.withDraftTokens(o.draftTokens())), pool);
        } catch (RuntimeException e) {
            kv.close();
            if (pool != null) pool.close();
            throw e;
        }
    }

    /** The pool this engine's kernels run on: its own when options.threads() was given, else the shared one. */
    private ComputePool kernels() {
        return pool != null ? pool : ComputePool.shared();
    }

    /** Opens {@code options.model()}: a path, or a Hub repo id resolved (and pulled) as the environment says (HF_HOME, HF_TOKEN). */
    public static Engine open(EngineOptions options) {
        return open(ModelResolver.fromEnvironment().resolve(options.model()), options);
    }

    /** Opens a model whose files were already found (a front end that resolves with its own progress display). */
    public static Engine open(ResolvedModel resolved, EngineOptions options) {
        LoadedModel model = ModelLoader.load(resolved.model());
        long copied = model.model().checkpoint().copiedBytes();
        if (copied > 0) {
            List<jmistral.tensor.Matrix> matrices = model.model().checkpoint().matrices();
            long withCopy = matrices.stream().filter(m -> m.copiedBytes() > 0).count();
            long replaced = matrices.stream().mapToLong(jmistral.tensor.Matrix::replacedBytes).sum();
            String where = replaced > 0 ? String.format(Locale.ROOT, "in place of %.0f MB of the file's pages, which prefill reads too", replaced / 1e6)
                    : "beside the file's pages, which prefill reads";
            LOG.fine(String.format(Locale.ROOT, "%.0f MB of Q6_K and Q4_K weights copied into row tiles for decode, %s (%d of %d matrices; "
                            + "the rest in place); the weights take %.0f MB of memory",
                    copied / 1e6, where, withCopy, matrices.size(), model.model().checkpoint().residentBytes() / 1e6));
        }
        Engine engine;
        try {
            engine = new Engine(options, resolved, model, findTokenizer(model, resolved));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        if (options.warmUp()) {      // the first request then runs compiled kernels
            long t0 = System.nanoTime();
            engine.kernels().within(() -> KernelWarmup.run(model.model().checkpoint().matrices()));
            // fine: a server says it once, in its ready line (which counts this time in)
            LOG.fine(String.format(Locale.ROOT, "kernels compiled in %.1f s", (System.nanoTime() - t0) / 1e9));
        }
        return engine;
    }

    /**
     * The tokenizer of a model's files, in one order: the GGUF file's own vocabulary, else tekken.json in
     * the model folder, else tekken.json beside the resolved files; null when there is none. It must not
     * have more ids than the model (a model may have padding rows beyond the tokenizer's).
     */
    private static Tekken findTokenizer(LoadedModel model, ResolvedModel resolved) {
        Tekken t = tokenizerOf(model.ggufMetadata(), model.tekkenJson().or(resolved::tekkenJson)).orElse(null);
        if (t != null && t.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + t.vocabSize() + " tokens but the model only "
                    + model.config().vocabSize() + ": they do not belong together (" + resolved.model() + ")");
        }
        return t;
    }

    /**
     * The one rule for which of a model's files gives its tokenizer, for every caller (the engine when it
     * opens a model, `jmistral tokenize` without loading weights): the GGUF file's own vocabulary when it
     * has one, else the tekken.json; empty when there is neither.
     */
    public static Optional<Tekken> tokenizerOf(Optional<Map<String, Object>> ggufMetadata, Optional<Path> tekkenJson) {
        if (ggufMetadata.isPresent() && ggufMetadata.get().containsKey("tokenizer.ggml.tokens")) {
            return Optional.of(Tekken.fromGgufMetadata(ggufMetadata.get()));
        }
        return tekkenJson.map(Tekken::fromTekkenJson);
    }

    // --- what the model is ----------------------------------------------------------------------------

    /** The name answers report: the option, else the Hub repo id, else the file or folder name. */
    public String modelId() { return modelId; }

    /** The name a model's answers report by default: the Hub repo id, else the file or folder name. */
    public static String modelId(ResolvedModel model) {
        return model.repo().map(Object::toString).orElse(model.model().getFileName().toString());
    }

    /** Where the model's files are. */
    public ResolvedModel files() { return resolved; }

    /** The tokenizer; a clear error when the model's files hold none. */
    public Tekken tokenizer() {
        if (tekken == null) throw new IllegalArgumentException(model.path() + " has no tokenizer (no GGUF tokenizer "
                + "metadata, no tekken.json); use 'jmistral generate --prompt-ids' or add tekken.json to the folder");
        return tekken;
    }

    /** The tokenizer, when the model's files hold one. */
    public Optional<Tekken> optionalTokenizer() { return Optional.ofNullable(tekken); }

    /** Tokens one request may hold (prompt + answer). */
    public int contextLimit() { return scheduler.contextLimit(); }

    /** Whether the model has a vision tower for images (found, not yet opened). */
    public boolean canReadImages() { return vision != null && vision.source() != null; }

    /**
     * Opens the vision tower now (it is otherwise opened on the first image), so a model without one says
     * so before any work: a clear IllegalArgumentException naming what to pass.
     */
    public void openVisionTower() {
        if (vision == null) tokenizer();
        vision.pipeline();
    }

    /**
     * Measures prefill and decode speed and memory bandwidth use on this engine's weights and compute
     * pool ({@code jmistral bench}).
     */
    public BenchReport benchmark(BenchOptions o) {
        return kernels().within(() -> ModelBench.run(model, o));
    }

    /** Times the vision tower was opened (at most once per engine). */
    public int visionTowersOpened() {
        int n = vision == null ? 0 : vision.timesOpened();
        synchronized (otherTowers) {
            for (VisionTower t : otherTowers.values()) n += t.timesOpened();
        }
        return n;
    }

    /** The system prompt put first in requests without one (null: none). */
    public String systemPrompt() { return systemPrompt; }

    /**
     * The model's default system prompt: SYSTEM_PROMPT.txt beside it, rendered with {name} = the model's
     * name (the Hub repo's name, else the file or folder name, without .gguf / -GGUF) and the dates, as
     * the model card does.
     */
    public Optional<String> modelSystemPrompt(LocalDate today) {
        return resolved.sibling(SystemPromptTemplate.FILE_NAME).map(f -> new SystemPromptTemplate(read(f)).render(modelName(resolved), today));
    }

    /** The model's name for its system prompt: the Hub repo's name, else the GGUF file's or folder's, without .gguf / -GGUF. */
    public static String modelName(ResolvedModel model) {
        String n = model.repo().map(RepoId::name)
                .orElseGet(() -> (model.isGguf() ? model.model() : model.directory()).getFileName().toString());
        for (String suffix : new String[] {".gguf", "-gguf"}) {      // a GGUF build names the same model
            if (n.toLowerCase(Locale.ROOT).endsWith(suffix)) n = n.substring(0, n.length() - suffix.length());
        }
        return n;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** The prompt a request encodes to (token ids, BOS first), as the engine would run it. */
    public int[] promptTokens(ChatRequest request) {
        ChatRun run = new ChatRun(this, scheduler, vision, request, e -> { });
        try {
            return encoder().encode(run.request()).tokens();
        } catch (jmistral.chat.ChatValidationException e) {
            throw new InvalidRequestException(e.path(), e.getMessage(), e);
        }
    }

    /**
     * Checks, without a model, that a request's tools and JSON schema compile to grammars (constrained
     * decoding supports them): an {@link InvalidRequestException} naming "tools" or the schema otherwise.
     */
    public static void checkOutputConstraints(ChatRequest request) {
        OutputConstraints.check(request);
    }

    /** The scheduler's live counters (queue, running, KV blocks, prefix-cache hits, steps). */
    public SchedulerMetrics metrics() { return scheduler.metrics(); }

    // --- chat ---------------------------------------------------------------------------------------

    /**
     * Starts answering; read the events from the returned stream (close it to cancel). Problems found
     * before generation starts are thrown: {@link InvalidRequestException} (a
     * {@link ContextLengthException} when it does not fit), {@link EngineBusyException}.
     */
    public ChatStream chat(ChatRequest request) {
        ChatStream stream = new ChatStream();
        stream.started(new ChatRun(this, scheduler, vision, request, stream::put).prepare().start());
        return stream;
    }

    /**
     * Starts answering; events go to {@code listener} on the engine's thread, in order (it must be quick
     * and never block: hand them to a queue; if it throws, the request is cancelled).
     */
    public ChatHandle chat(ChatRequest request, Consumer<ChatEvent> listener) {
        return new ChatRun(this, scheduler, vision, request, listener).prepare().start();
    }

    /** The whole answer (waits for it); a failure after the start is an IllegalStateException. */
    public ChatResponse complete(ChatRequest request) {
        try (ChatStream s = chat(request)) {
            return s.response();
        }
    }

    /**
     * Many requests at once through the scheduler, admitted together (so a batch runs the same steps
     * whatever the timing). Answers come back in the order of the requests; a request that cannot run
     * (bad message, schema, image, too long) gets a response with its {@link ChatResponse#error()}
     * instead of failing the others. The whole batch must fit in the waiting line
     * ({@link EngineBusyException} otherwise).
     */
    public List<ChatResponse> batch(List<ChatRequest> requests) {
        return batch(scheduler, requests);
    }

    /**
     * A batch runner of its own: a private scheduler and KV cache ({@code maxParallel x maxContext}
     * tokens, reused from an earlier session when one is idle) over this engine's weights, tokenizer,
     * grammar cache and vision tower. Its batches share steps with nothing else, so the same rows give
     * the same answers whatever else the process runs (what Spark's retried tasks need). Close it to
     * give its KV cache back.
     */
    public BatchSession newBatchSession(int maxParallel, int maxContext) {
        return new BatchSession(this, maxParallel, maxContext, vision, options.draftTokens());
    }

    /**
     * As {@link #newBatchSession(int, int)}, reading images with the vision tower at {@code mmproj} (null:
     * the model's own), drafting {@code draftTokens} per step by prompt lookup (0 = no speculative decoding).
     */
    public BatchSession newBatchSession(int maxParallel, int maxContext, Path mmproj, int draftTokens) {
        return new BatchSession(this, maxParallel, maxContext, visionTower(mmproj), draftTokens);
    }

    private final Map<Path, VisionTower> otherTowers = new java.util.HashMap<>();   // guarded by itself

    /** The vision tower at {@code mmproj} (null or the engine's own: the engine's), opened once per engine. */
    VisionTower visionTower(Path mmproj) {
        if (mmproj == null || mmproj.equals(options.mmproj()) || vision == null) return vision;
        synchronized (otherTowers) {
            return otherTowers.computeIfAbsent(mmproj, p -> new VisionTower(resolved, p, tekken, model.config().dim()));
        }
    }

    List<ChatResponse> batch(Scheduler on, List<ChatRequest> requests) {
        return batch(on, vision, requests);
    }

    List<ChatResponse> batch(Scheduler on, VisionTower tower, List<ChatRequest> requests) {
        int n = requests.size();
        ChatResponse[] out = new ChatResponse[n];
        ChatResponse.Collector[] collectors = new ChatResponse.Collector[n];
        CountDownLatch done = new CountDownLatch(n);
        List<ChatRun> runs = new ArrayList<>();
        List<Integer> runIndex = new ArrayList<>();
        List<SequenceRequest> sequences = new ArrayList<>();
        List<Consumer<GenerationEvent>> listeners = new ArrayList<>();
        List<Integer> choicesPerRun = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ChatResponse.Collector collector = collectors[i] = new ChatResponse.Collector();
            ChatRun run = new ChatRun(this, on, tower, requests.get(i), e -> {
                if (collector.accept(e)) done.countDown();
            });
            try {
                run.prepare();
            } catch (InvalidRequestException e) {
                String why = e instanceof ContextLengthException ? "prompt too long: " + e.getMessage() : e.getMessage();
                out[i] = ChatResponse.failed(why, new Usage(run.promptTokens(), 0, 0));
                done.countDown();
                continue;
            }
            List<ChatRun.Choice> choices = run.choices();
            for (ChatRun.Choice c : choices) {
                sequences.add(c.sequence());
                listeners.add(c.output());
            }
            runs.add(run);
            runIndex.add(i);
            choicesPerRun.add(choices.size());
        }
        List<SequenceHandle> handles;
        try {
            handles = sequences.isEmpty() ? List.of() : on.submitAll(sequences, listeners);
        } catch (QueueFullException e) {
            throw new EngineBusyException("The batch of " + n + " requests does not fit in the waiting line: "
                    + "raise maxQueue or send fewer at once.");
        }
        int next = 0;
        for (int r = 0; r < runs.size(); r++) {
            runs.get(r).started(handles.subList(next, next + choicesPerRun.get(r)));
            next += choicesPerRun.get(r);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            for (ChatRun run : runs) run.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating a batch", e);
        }
        for (int r = 0; r < runs.size(); r++) {
            int i = runIndex.get(r);
            ChatResponse res = collectors[i].response();
            out[i] = res.error() == null ? res : ChatResponse.failed(res.error(), new Usage(runs.get(r).promptTokens(), 0, 0));
        }
        return Arrays.asList(out);
    }

    /**
     * Token-level generation, no chat format (verification tools such as {@code jmistral generate}): the
     * prompt's ids in, the generated ids (with per-step logprobs when asked) out.
     */
    public GenerationResult generate(SequenceRequest request) {
        SequenceHandle handle = scheduler.submit(request);
        try {
            return handle.await();
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        }
    }

    // --- for ChatRun and BatchSession -----------------------------------------------------------------

    private final List<KvCache> idleCaches = new ArrayList<>();     // KV memory of closed batch sessions, reused

    /** A KV cache of at least this many tokens: an idle one left by an earlier batch session, or a new one. */
    KvCache borrowCache(int tokens) {
        synchronized (idleCaches) {
            for (var it = idleCaches.iterator(); it.hasNext(); ) {
                KvCache c = it.next();
                if ((long) c.totalBlocks() * c.blockSize() >= tokens) { it.remove(); return c; }
            }
        }
        return model.model().createCache(tokens, options.kvCacheType());
    }

    /** Gives back a cache whose sequences are all closed. */
    void returnCache(KvCache c) {
        if (c.freeBlocks() != c.totalBlocks()) { c.close(); return; }
        synchronized (idleCaches) { idleCaches.add(c); }
    }

    Scheduler newScheduler(KvCache cache, SchedulerConfig config) {
        return new Scheduler(model.model(), cache, config, pool);
    }

    int maxSeqLen() { return model.config().maxSeqLen(); }

    PromptEncoder encoder() {
        tokenizer();
        return encoder;
    }

    OutputConstraints constraints() { return constraints; }

    TokenText tokenText() { return tokenText; }

    Scheduler scheduler() { return scheduler; }

    /** Image embeddings at the [IMG] positions of an encoded prompt (the vision tower opened on first use). */
    float[][] imageEmbeddings(EncodedPrompt prompt, VisionTower tower) {
        ImagePipeline pipeline;
        try {
            pipeline = tower.pipeline();
        } catch (RuntimeException e) {
            throw new InvalidRequestException("messages", e.getMessage(), e);
        }
        for (EncodedPrompt.ImageSlot slot : prompt.images()) {
            if (slot.image().pixels() == null) {
                throw new InvalidRequestException("messages", "the image " + slot.image().url() + " has a size but no pixels: "
                        + "give its pixels (ContentPart.Image.of / read)");
            }
        }
        try {       // the vision tower runs on the caller's thread, with the engine's kernels' pool
            return kernels().within(() -> pipeline.promptEmbeddings(prompt, ContentPart.Image::pixels));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("messages", "The images cannot be placed in the prompt: " + e.getMessage(), e);
        }
    }

    /** Stops the scheduler (running requests end CANCELLED), then frees the KV cache, the vision tower and the weights. */
    @Override
    public void close() {
        try {
            scheduler.close();
            kv.close();
            synchronized (idleCaches) {
                for (KvCache c : idleCaches) c.close();
                idleCaches.clear();
            }
        } finally {
            try {
                if (vision != null) vision.close();
                synchronized (otherTowers) {
                    for (VisionTower t : otherTowers.values()) t.close();
                }
            } finally {
                model.close();
                if (pool != null) pool.close();
            }
        }
    }
}
