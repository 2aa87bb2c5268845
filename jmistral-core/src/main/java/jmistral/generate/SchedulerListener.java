package jmistral.generate;

/**
 * Observes the scheduler (the server turns these into histograms). Called on the scheduler thread:
 * keep it quick and never block.
 */
public interface SchedulerListener {

    /**
     * A request ended.
     *
     * @param queueNanos      submit to admission
     * @param timeToFirstNanos submit to the first generated token (-1 when none)
     * @param totalNanos      submit to the end
     */
    record RequestStats(long id, FinishReason reason, Usage usage, long queueNanos, long timeToFirstNanos,
                        long totalNanos) {
    }

    /** One forward step: sequences in the batch, tokens forwarded (draft tokens included), draft tokens, duration. */
    record StepStats(int sequences, int tokens, int draftTokens, long nanos) {
    }

    default void requestFinished(RequestStats stats) {
    }

    default void stepDone(StepStats stats) {
    }
}
