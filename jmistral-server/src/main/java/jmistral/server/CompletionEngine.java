package jmistral.server;

import jmistral.generate.SchedulerMetrics;

/**
 * What the HTTP layer needs from the engine: start a chat completion and receive its events.
 * The server only translates JSON to {@link ChatCompletionParams} and events to JSON; the engine
 * (prompt encoding, scheduling, sampling, output parsing) lives behind this interface.
 */
public interface CompletionEngine {

    /** The id reported in responses and by {@code GET /v1/models}. */
    String modelId();

    /** False while the model is loading ({@code /health} answers 503). */
    boolean isReady();

    /**
     * Starts generating {@code params.n()} choices. Problems found before generation starts (invalid
     * messages, context overflow, full queue) are thrown as {@link ApiError}. Events arrive on the
     * engine's threads; the listener must not block.
     */
    CompletionHandle start(ChatCompletionParams params, CompletionListener listener);

    /** Live numbers for {@code /metrics}. */
    default Stats stats() {
        return new Stats(0, 0, 0);
    }

    /**
     * The scheduler's counters for {@code /metrics} (prefix-cache hits, preemptions, KV blocks), or null
     * while the model is loading or for an engine without a scheduler (the metrics then read 0).
     */
    default SchedulerMetrics schedulerMetrics() {
        return null;
    }

    /**
     * @param queueDepth    requests waiting to be admitted
     * @param running       sequences in the running batch
     * @param kvCacheUsage  fraction of KV cache blocks in use, 0..1
     */
    record Stats(int queueDepth, int running, double kvCacheUsage) {}

    /** A running completion. */
    interface CompletionHandle {
        /** Stops generation and frees its resources at once (client went away). */
        void cancel();
    }

    /** Receives a completion's events, in order per choice. */
    @FunctionalInterface
    interface CompletionListener {
        void onEvent(CompletionEvent event);
    }
}
