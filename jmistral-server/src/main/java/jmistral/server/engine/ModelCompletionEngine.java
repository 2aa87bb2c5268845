package jmistral.server.engine;

import jmistral.generate.SchedulerMetrics;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.server.CompletionEngine;
import jmistral.tensor.KernelWarmup;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The real engine behind the HTTP API: a model loaded in the background ({@code /health} says 503 until
 * it is ready), requests encoded with the v11 prompt format and run on the continuous-batching
 * scheduler, outputs parsed into text and tool calls. See {@link CompletionRun} for one request.
 */
public final class ModelCompletionEngine implements CompletionEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelCompletionEngine.class.getName());
    /** Run {@link KernelWarmup} after loading (-Djmistral.warmup=false skips it). */
    private static final boolean WARM_UP = Boolean.parseBoolean(System.getProperty("jmistral.warmup", "true"));

    private final EngineOptions options;
    private final CompletableFuture<ServingModel> loading = new CompletableFuture<>();
    private volatile ServingModel ready;
    private boolean closed;                  // guarded by this: a model that loads after close() is freed

    private ModelCompletionEngine(EngineOptions options) {
        this.options = options;
    }

    /** An engine that has not started loading (start the HTTP server first, then {@link #startLoading()}). */
    public static ModelCompletionEngine create(EngineOptions options) {
        return new ModelCompletionEngine(options);
    }

    /** Starts loading on a background thread and returns at once. */
    public static ModelCompletionEngine loadInBackground(EngineOptions options) {
        ModelCompletionEngine e = new ModelCompletionEngine(options);
        e.startLoading();
        return e;
    }

    /** Loads the model on a background thread; {@link #isReady()} turns true when done. */
    public void startLoading() {
        Thread.ofPlatform().name("jmistral-model-loader").daemon().start(() -> {
            try {
                ServingModel m = ServingModel.load(options);
                if (WARM_UP) {   // before ready: the first request then runs compiled kernels
                    long t0 = System.nanoTime();
                    KernelWarmup.run(m.model.model().checkpoint().matrices());
                    LOG.info(String.format("kernels compiled in %.1f s", (System.nanoTime() - t0) / 1e9));
                }
                synchronized (this) {
                    if (closed) {
                        m.close();
                        loading.completeExceptionally(new IllegalStateException("the engine was closed while loading"));
                        return;
                    }
                    ready = m;
                }
                loading.complete(m);
                LOG.info("model ready: " + options.model());
            } catch (RuntimeException | Error t) {
                LOG.log(Level.SEVERE, "cannot load " + options.model(), t);
                loading.completeExceptionally(t);
            }
        });
    }

    /** Loads now (tests, benchmarks). */
    public static ModelCompletionEngine load(EngineOptions options) {
        ModelCompletionEngine e = loadInBackground(options);
        e.awaitReady(Duration.ofMinutes(10));
        return e;
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
        return options.modelId();
    }

    @Override
    public boolean isReady() {
        return ready != null;
    }

    @Override
    public CompletionHandle start(ChatCompletionParams params, CompletionListener listener) {
        ServingModel m = ready;
        if (m == null) throw ApiError.loading();
        return CompletionRun.start(m, params, listener);
    }

    @Override
    public Stats stats() {
        ServingModel m = ready;
        if (m == null) return new Stats(0, 0, 0);
        SchedulerMetrics s = m.scheduler.metrics();
        return new Stats(s.waiting(), s.running(), s.kvUsage());
    }

    /** The scheduler's full counters (prefix-cache hits, preemptions, KV blocks), or null while loading. */
    @Override
    public SchedulerMetrics schedulerMetrics() {
        ServingModel m = ready;
        return m == null ? null : m.scheduler.metrics();
    }

    @Override
    public void close() {
        ServingModel m;
        synchronized (this) {
            closed = true;
            m = ready;
            ready = null;
        }
        if (m != null) m.close();
    }
}
