package jmistral.server;

import java.util.function.Consumer;
import jmistral.chat.ChatRequest;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatHandle;
import jmistral.generate.SchedulerMetrics;

/**
 * What the HTTP layer needs from the engine: start a chat request and receive its events. The server
 * only translates JSON to the chat package's {@link ChatRequest} and {@link ChatEvent}s to JSON; the
 * engine ({@link jmistral.engine.Engine}: prompt encoding, scheduling, sampling, output parsing) lives
 * behind this interface (tests put a stand-in here).
 */
public interface CompletionEngine {

    /** The id reported in responses and by {@code GET /v1/models}. */
    String modelId();

    /** False while the model is loading ({@code /health} answers 503). */
    boolean isReady();

    /** Whether image parts can be read (a vision tower is there). */
    default boolean canReadImages() {
        return false;
    }

    /** The most tokens one request may hold (prompt and answer), or 0 when unknown. */
    default int contextLength() {
        return 0;
    }

    /** Whether http(s) image URLs are fetched (else data URLs only). */
    default boolean allowRemoteImages() {
        return false;
    }

    /** The model's default system prompt, put first when a request has no system message; null = none. */
    default String defaultSystemPrompt() {
        return null;
    }

    /**
     * Starts generating the request's choices. Problems found before generation starts are thrown
     * ({@link jmistral.engine.InvalidRequestException}, {@link jmistral.engine.ContextLengthException},
     * {@link jmistral.engine.EngineBusyException}, or an {@link ApiError}). Events arrive on the engine's
     * thread; the listener must not block.
     */
    ChatHandle start(ChatRequest request, Consumer<ChatEvent> listener);

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
}
