package jmistral.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model per executor JVM: loaded on first use by whichever task needs it first, then shared by
 * every task of that JVM (the weights are memory-mapped once). Keyed by the model spec as given.
 * Models stay loaded for the life of the JVM, as executors are reused across jobs.
 */
public final class ExecutorModels {
    private ExecutorModels() {}

    private static final ConcurrentHashMap<String, ExecutorModel> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    /** The model for spec, loading it (once per JVM) if needed; concurrent callers wait for the one load. */
    public static ExecutorModel get(String spec, int threads) {
        return MODELS.computeIfAbsent(spec, s -> {
            LOADS.incrementAndGet();
            return ExecutorModel.load(s, threads);
        });
    }

    /** How many times a model was loaded in this JVM (tests, monitoring). */
    public static int loadCount() { return LOADS.get(); }
}
