package jmistral.server.engine;

import jmistral.chat.ChatRequest;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatHandle;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;
import jmistral.generate.SchedulerMetrics;
import jmistral.hub.ModelResolver;
import jmistral.hub.ResolvedModel;
import jmistral.server.ApiError;
import jmistral.server.CompletionEngine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The real engine behind the HTTP API: a {@link jmistral.engine.Engine} opened in the background
 * ({@code /health} says 503 until it is ready); requests go to it as they are.
 */
public final class ModelCompletionEngine implements CompletionEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelCompletionEngine.class.getName());
    /** Compile the kernels before ready (-Djmistral.warmup=false skips it). */
    private static final boolean WARM_UP = Boolean.parseBoolean(System.getProperty("jmistral.warmup", "true"));

    private final ResolvedModel model;           // null: resolve options.model() when loading
    private final EngineOptions options;
    private final boolean allowRemoteImages;
    private final CompletableFuture<Engine> loading = new CompletableFuture<>();
    private volatile Engine ready;
    private boolean closed;                  // guarded by this: a model that loads after close() is freed

    private ModelCompletionEngine(ResolvedModel model, EngineOptions options, boolean allowRemoteImages) {
        this.model = model;
        this.options = options.withWarmUp(options.warmUp() || WARM_UP);
        this.allowRemoteImages = allowRemoteImages;
    }

    /**
     * An engine that has not started loading (start the HTTP server first, then {@link #startLoading()}).
     *
     * @param model             the model's files, as {@code jmistral serve} resolved them
     * @param allowRemoteImages fetch http(s) image URLs (off: data URLs only)
     */
    public static ModelCompletionEngine create(ResolvedModel model, EngineOptions options, boolean allowRemoteImages) {
        return new ModelCompletionEngine(model, options, allowRemoteImages);
    }

    /** Loads {@code options.model()} now (tests, benchmarks). */
    public static ModelCompletionEngine load(EngineOptions options) {
        ModelCompletionEngine e = new ModelCompletionEngine(null, options, false);
        e.startLoading();
        e.awaitReady(Duration.ofMinutes(10));
        return e;
    }

    /** Loads the model on a background thread; {@link #isReady()} turns true when done. */
    public void startLoading() {
        Thread.ofPlatform().name("jmistral-model-loader").daemon().start(() -> {
            try {
                long t0 = System.nanoTime();
                Engine m = Engine.open(model != null ? model : ModelResolver.fromEnvironment().resolve(options.model()), options);
                synchronized (this) {
                    if (closed) {
                        m.close();
                        loading.completeExceptionally(new IllegalStateException("the engine was closed while loading"));
                        return;
                    }
                    ready = m;
                }
                loading.complete(m);
                // the one startup line: what is served, how
                LOG.info(String.format("ready in %.1f s%s: %s (%s), context %d tokens, KV cache %s, %d parallel, vision %s",
                        (System.nanoTime() - t0) / 1e9, options.warmUp() ? " (kernels warmed up)" : "", m.modelId(),
                        options.model(), contextLength(), options.kvCacheType(), options.maxParallel(),
                        m.canReadImages() ? "on" : "off"));
            } catch (RuntimeException | Error t) {
                LOG.log(Level.SEVERE, "cannot load " + options.model(), t);
                loading.completeExceptionally(t);
            }
        });
    }

    /** Waits until the model is loaded; throws the loading failure if it failed. */
    public void awaitReady(Duration timeout) {
        try {
            loading.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException r ? r : new IllegalStateException(ex.getCause());
        } catch (TimeoutException ex) {
            throw new IllegalStateException("the model did not load within " + timeout);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model");
        }
    }

    /** The loading failure, if loading failed. */
    public boolean failed() {
        return loading.isCompletedExceptionally();
    }

    @Override
    public String modelId() {
        Engine m = ready;
        if (m != null) return m.modelId();
        if (options.modelId() != null) return options.modelId();
        return model != null ? Engine.modelId(model) : options.model();
    }

    @Override
    public boolean isReady() {
        return ready != null;
    }

    @Override
    public boolean canReadImages() {
        Engine m = ready;
        return m != null && m.canReadImages();
    }

    @Override
    public int contextLength() {
        return options.maxContext() > 0 ? Math.min(options.maxContext(), options.contextTokens()) : options.contextTokens();
    }

    @Override
    public boolean allowRemoteImages() {
        return allowRemoteImages;
    }

    @Override
    public String defaultSystemPrompt() {
        Engine m = ready;
        return m == null ? null : m.systemPrompt();
    }

    @Override
    public ChatHandle start(ChatRequest request, Consumer<ChatEvent> listener) {
        Engine m = ready;
        if (m == null) throw ApiError.loading();
        return m.chat(request, listener);
    }

    @Override
    public Stats stats() {
        Engine m = ready;
        if (m == null) return new Stats(0, 0, 0);
        SchedulerMetrics s = m.metrics();
        return new Stats(s.waiting(), s.running(), s.kvUsage());
    }

    /** The scheduler's full counters (prefix-cache hits, preemptions, KV blocks), or null while loading. */
    @Override
    public SchedulerMetrics schedulerMetrics() {
        Engine m = ready;
        return m == null ? null : m.metrics();
    }

    @Override
    public void close() {
        Engine m;
        synchronized (this) {
            closed = true;
            m = ready;
            ready = null;
        }
        if (m != null) m.close();
    }
}
