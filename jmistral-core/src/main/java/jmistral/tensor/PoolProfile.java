package jmistral.tensor;

/**
 * What the parallel loops of a {@link ComputePool} cost beyond their work, summed over the loops run
 * while it is attached ({@link ComputePool#profile}): per loop, the wall time from the caller's start
 * to the last thread's end, the time the workers took to wake and take their first chunk, and the
 * thread time spent not working (waking, and waiting at the end for the slowest thread). Written by
 * the caller of the loops only, after the workers are done.
 */
public final class PoolProfile {
    private long loops;
    private long wallNanos;
    private long wakeNanos;
    private long idleThreadNanos;
    private final int threads;

    public PoolProfile(int threads) {
        this.threads = threads;
    }

    /** One loop: started at start, the caller's own chunks done at callerDone, all done at end. */
    void loop(long start, long callerDone, long end, long[] workerSpans, int workers) {
        loops++;
        long wall = end - start;
        wallNanos += wall;
        long idle = end - callerDone;
        for (int i = 0; i < workers; i++) {
            long first = workerSpans[16 * i], last = workerSpans[16 * i + 1];
            if (first < start || last < first) first = last = end;  // took no part in this loop
            wakeNanos += first - start;
            idle += (first - start) + (end - last);
        }
        idleThreadNanos += idle;
    }

    public long loops() { return loops; }

    /** Wall time inside parallel loops. */
    public long wallNanos() { return wallNanos; }

    /** Summed over workers: from the caller's start to the worker's first chunk. */
    public long wakeNanos() { return wakeNanos; }

    /** Thread time inside loops not spent on chunks: waking, and waiting for the slowest thread. */
    public long idleThreadNanos() { return idleThreadNanos; }

    public int threads() { return threads; }

    public void reset() {
        loops = wallNanos = wakeNanos = idleThreadNanos = 0;
    }
}
