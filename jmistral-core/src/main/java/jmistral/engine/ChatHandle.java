package jmistral.engine;

/** A running chat request. */
public interface ChatHandle {
    /**
     * Stops generating: every choice ends at the next step boundary and its KV blocks are freed. No
     * more events are delivered after the ones already queued. Harmless when already finished.
     */
    void cancel();
}
