package jmistral.bench;

import jmistral.model.ForwardProbe;
import jmistral.tensor.PoolProfile;

/**
 * A {@link ForwardProbe} that sums, per part of the forward pass, its wall time and the compute
 * threads' idle time inside it (waking, waiting for the slowest thread: read from the pool's
 * {@link PoolProfile} at each lap). Summed over all passes it sees and all layers.
 */
public final class PartTimer implements ForwardProbe {
    private static final Part[] PARTS = Part.values();

    final long[] nanos = new long[PARTS.length];
    final long[] idleThreadNanos = new long[PARTS.length];
    final long[] loops = new long[PARTS.length];
    private final PoolProfile pool;

    PartTimer(PoolProfile pool) {
        this.pool = pool;
    }

    @Override
    public long start() {
        return System.nanoTime();
    }

    @Override
    public long lap(Part part, int layer, long since) {
        long now = System.nanoTime();
        nanos[part.ordinal()] += now - since;
        idleThreadNanos[part.ordinal()] += pool.idleThreadNanos();
        loops[part.ordinal()] += pool.loops();
        pool.reset();
        return System.nanoTime(); // the bookkeeping above is not the next part's time
    }

    long total() {
        long t = 0;
        for (long n : nanos) t += n;
        return t;
    }
}
