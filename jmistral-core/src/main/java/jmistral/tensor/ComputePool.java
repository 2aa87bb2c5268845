package jmistral.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The dedicated pool of platform threads that runs all kernels (never the common ForkJoinPool, which
 * the application shares). A parallel loop splits [0, n) into contiguous chunks that the caller and
 * the workers claim from a shared counter, so a thread slowed down by other load on the machine
 * simply takes fewer chunks. Sized to the cores ({@code availableProcessors}); the system property
 * {@code jmistral.threads} overrides it.
 *
 * <p>Loops are run one at a time (callers are serialized); a loop started from inside a worker runs
 * inline on that worker.
 */
public final class ComputePool {

    /** A body that handles the index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile ComputePool shared;

    /** The process-wide pool. */
    public static ComputePool shared() {
        ComputePool p = shared;
        if (p == null) {
            synchronized (ComputePool.class) {
                p = shared;
                if (p == null) {
                    int n = Integer.getInteger("jmistral.threads", Runtime.getRuntime().availableProcessors());
                    shared = p = new ComputePool(n);
                }
            }
        }
        return p;
    }

    /** Changes the number of threads of the shared pool (e.g. from a --threads option). */
    public static void setThreads(int threads) {
        synchronized (ComputePool.class) {
            ComputePool old = shared;
            shared = new ComputePool(threads);
            if (old != null) old.close();
        }
    }

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock callers = new ReentrantLock();

    // The loop being run; written by the caller before bumping `generation`.
    private RangeBody body;
    private int n;
    private int chunk;
    private int chunks;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long generation;
    private volatile Thread caller;
    private volatile boolean closed;

    public ComputePool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("jmistral-compute-" + (i + 1)).start(this::workerLoop);
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs body(i) for every i in [0, n), in parallel. */
    public void parallelFor(int n, IntConsumer body) {
        parallelForRange(n, (s, e) -> {
            for (int i = s; i < e; i++) body.accept(i);
        });
    }

    /** Runs body over contiguous sub-ranges covering [0, n) exactly once, in parallel. */
    public void parallelForRange(int n, RangeBody body) {
        if (n <= 0) return;
        if (threads == 1 || n == 1 || isWorker() || callers.isHeldByCurrentThread()) {
            body.run(0, n);
            return;
        }
        callers.lock();
        try {
            this.body = body;
            this.n = n;
            // several chunks per thread so that a thread slowed down by other load takes fewer of them
            this.chunks = Math.min(n, threads * 4);
            this.chunk = (n + chunks - 1) / chunks;
            this.chunks = (n + chunk - 1) / chunk;
            nextChunk.set(0);
            failure.set(null);
            running.set(workers.length);
            caller = Thread.currentThread();
            generation++; // publishes the fields above
            for (Thread w : workers) LockSupport.unpark(w);
            runChunks();
            // wait for the workers to finish their chunks
            int spins = 0;
            while (running.get() != 0) {
                if (++spins < 2000) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            this.body = null;
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new RuntimeException(t);
        } finally {
            callers.unlock();
        }
    }

    private void runChunks() {
        RangeBody b = body;
        int c;
        while ((c = nextChunk.getAndIncrement()) < chunks) {
            int s = c * chunk;
            int e = Math.min(n, s + chunk);
            try {
                b.run(s, e);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    private boolean isWorker() {
        Thread t = Thread.currentThread();
        for (Thread w : workers) if (w == t) return true;
        return false;
    }

    private void workerLoop() {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 2000) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            runChunks();
            if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    /** Stops the workers (the shared pool is never closed except by {@link #setThreads}). */
    public void close() {
        callers.lock(); // waits for a loop in progress to finish
        try {
            closed = true;
            for (Thread w : workers) LockSupport.unpark(w);
        } finally {
            callers.unlock();
        }
    }
}
