package jmistral.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A dedicated pool of platform threads that runs the kernels (never the common ForkJoinPool, which
 * the application shares). A parallel loop splits [0, n) into contiguous chunks that the caller and
 * the workers claim from a shared counter, so a thread slowed down by other load on the machine
 * simply takes fewer chunks.
 *
 * <p>Which pool a kernel uses is {@link #current()}: the pool a caller bound with {@link #within}
 * (an engine sizing its own pool), else the process-wide {@link #shared()} pool, sized to the cores
 * ({@code availableProcessors}, or the system property {@code jmistral.threads}).
 *
 * <p>Loops are run one at a time (callers are serialized); a loop started from inside a worker runs
 * inline on that worker.
 */
public final class ComputePool implements AutoCloseable {

    /** A body that handles the index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** The pool bound by {@link #within} for the running code; workers are bound to their own pool. */
    private static final ScopedValue<ComputePool> CURRENT = ScopedValue.newInstance();

    private static volatile ComputePool shared;

    /**
     * Chunks per thread of {@link #parallelForRange}: a thread that the machine slows down (other load,
     * the hypervisor) holds up the loop by at most one chunk. Measured ({@code bench --gen-tokens 48
     * --profile}, 2-layer Q4_K_M, 2 threads, alternated three times): the decode step's idle thread time
     * 5.0-5.3 ms per token at 16 against 5.6-14.0 at 4.
     */
    static final int CHUNKS_PER_THREAD = Integer.getInteger("jmistral.pool.chunksPerThread", 16);

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

    /** The pool kernels run on here: the one bound by {@link #within}, else {@link #shared()}. */
    public static ComputePool current() {
        return CURRENT.isBound() ? CURRENT.get() : shared();
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
    /** Where loops report their hand-offs and waits while a profile is attached; null otherwise. */
    private volatile PoolProfile profile;
    /** Per worker: nanoTime of its first and last chunk of the current loop (worker i at 16 * i, padded). */
    private final long[] workerSpans;
    /** The largest scratch array given back by a kernel, for the next one to reuse ({@link #borrowFloats}). */
    private final AtomicReference<float[]> spareFloats = new AtomicReference<>();

    public ComputePool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.workerSpans = new long[16 * Math.max(1, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            workers[i] = Thread.ofPlatform().daemon().name("jmistral-compute-" + (i + 1))
                    .start(() -> ScopedValue.where(CURRENT, this).run(() -> workerLoop(index)));
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs work with this pool as {@link #current()} for every kernel it calls; returns its result. */
    public <T> T within(Supplier<T> work) {
        return ScopedValue.where(CURRENT, this).call(work::get);
    }

    /** Runs work with this pool as {@link #current()} for every kernel it calls. */
    public void within(Runnable work) {
        ScopedValue.where(CURRENT, this).run(work);
    }

    /**
     * Attaches a profile that every following loop adds its wall time and its idle thread time to,
     * or detaches it (null). Off by default: a loop then costs one field read more.
     */
    public void profile(PoolProfile p) {
        this.profile = p;
    }

    /** Runs body(i) for every i in [0, n), in parallel. */
    public void parallelFor(int n, IntConsumer body) {
        parallelForRange(n, (s, e) -> {
            for (int i = s; i < e; i++) body.accept(i);
        });
    }

    /** Runs body over contiguous sub-ranges covering [0, n) exactly once, in parallel. */
    public void parallelForRange(int n, RangeBody body) {
        // several chunks per thread so that a thread slowed down by other load takes fewer of them
        run(n, threads * CHUNKS_PER_THREAD, body);
    }

    /**
     * Runs body(i) for every i in [0, n), in parallel, each index handed out on its own (a thread
     * takes the next index when done with its last). For a few coarse items (a GEMM's row blocks, each
     * milliseconds): with {@link #parallelForRange}'s 4 chunks per thread (its count then), 27 row blocks of w_down
     * went out as chunks of 4, 4, 4, 4, 4, 4, 3 blocks, one thread doing 15 and the other 12.
     */
    public void parallelForEach(int n, IntConsumer body) {
        run(n, n, (s, e) -> {
            for (int i = s; i < e; i++) body.accept(i);
        });
    }

    /** body over [0, n) in about {@code chunks} contiguous chunks, taken by the threads in turn. */
    private void run(int n, int chunks, RangeBody body) {
        if (n <= 0) return;
        if (threads == 1 || n == 1 || isWorker() || callers.isHeldByCurrentThread()) {
            body.run(0, n);
            return;
        }
        callers.lock();
        try {
            PoolProfile p = profile;
            long start = p == null ? 0 : System.nanoTime();
            this.body = body;
            this.n = n;
            int wanted = Math.min(n, chunks);
            this.chunk = (n + wanted - 1) / wanted;
            this.chunks = (n + chunk - 1) / chunk;
            nextChunk.set(0);
            failure.set(null);
            running.set(workers.length);
            caller = Thread.currentThread();
            generation++; // publishes the fields above
            for (Thread w : workers) LockSupport.unpark(w);
            runChunks();
            long callerDone = p == null ? 0 : System.nanoTime();
            // wait for the workers to finish their chunks
            int spins = 0;
            while (running.get() != 0) {
                if (++spins < 2000) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (p != null) p.loop(start, callerDone, System.nanoTime(), workerSpans, workers.length);
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

    /**
     * The running thread's place in this pool: 0 for a caller (a thread outside the pool, which runs
     * chunks of its own loops), 1 .. threads-1 for the workers. Loops use it to give each thread its
     * own part of one scratch array.
     */
    int threadIndex() {
        Thread t = Thread.currentThread();
        for (int i = 0; i < workers.length; i++) if (workers[i] == t) return i + 1;
        return 0;
    }

    private boolean isWorker() {
        Thread t = Thread.currentThread();
        for (Thread w : workers) if (w == t) return true;
        return false;
    }

    private void workerLoop(int index) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 2000) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            boolean timed = profile != null;
            if (timed) workerSpans[16 * index] = System.nanoTime();
            runChunks();
            if (timed) workerSpans[16 * index + 1] = System.nanoTime();
            if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    /**
     * A float array of at least {@code minLength} (contents left over from earlier use) for a kernel's
     * scratch, to hand back with {@link #giveBack} when done: a prefill matmul's transposed tokens
     * (up to 64 MB) come from one array per pool instead of a fresh allocation per call (which cost
     * about 0.2 CPU-s per 64 MB in page faults and zeroing). Callers on several threads each get
     * their own array: one taken is not shared until given back.
     */
    float[] borrowFloats(int minLength) {
        float[] a = spareFloats.getAndSet(null);
        return a != null && a.length >= minLength ? a : new float[minLength];
    }

    /** Returns an array from {@link #borrowFloats}; the pool keeps the largest one. */
    void giveBack(float[] a) {
        spareFloats.accumulateAndGet(a, (kept, given) -> kept == null || given.length > kept.length ? given : kept);
    }

    /** Stops the workers (the shared pool is never closed except by {@link #setThreads}). */
    @Override
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
