package jmistral.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;

/**
 * One engine per model per executor JVM: opened on first use by whichever task needs it first, then
 * shared by every task of that JVM (the weights are memory-mapped once, the grammar cache and the vision
 * tower are shared). Keyed by the model spec as given. Engines stay open for the life of the JVM, as
 * executors are reused across jobs. Each task runs its batches on a batch session of its own.
 */
public final class ExecutorModels {
    private ExecutorModels() {}

    private static final ConcurrentHashMap<String, Engine> ENGINES = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    /**
     * The engine for spec, opening it (once per JVM) if needed; concurrent callers wait for the one load.
     * {@code threads} sizes the engine's compute pool when it is opened (0 = the cores).
     */
    public static Engine get(String spec, int threads) {
        return ENGINES.computeIfAbsent(spec, s -> {
            LOADS.incrementAndGet();
            // requests run on each task's batch session; the engine's own scheduler needs little KV
            return Engine.open(EngineOptions.of(s).withThreads(threads).withContextTokens(16).withMaxParallel(1));
        });
    }

    /** How many times a model was loaded in this JVM (tests, monitoring). */
    public static int loadCount() { return LOADS.get(); }

    /** Vision towers opened in this JVM (tests, monitoring). */
    public static int visionLoadCount() {
        return ENGINES.values().stream().mapToInt(Engine::visionTowersOpened).sum();
    }
}
