package jmistral.spark;

import java.util.List;
import jmistral.generate.SequenceHandle;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LanguageModel;
import jmistral.model.TextConfig;

/**
 * A model wrapper that can hold the scheduler thread at the start of a forward step. {@link BatchRunner}
 * uses it to make every batch start the same way, whatever the timing: it submits the first row, waits
 * until the scheduler is inside that row's first forward step (held here), submits the other rows, then
 * lets go; the scheduler then takes all other rows at once. The floating-point result of a step depends
 * on which sequences share it, so fixed batches are what make a retried task give the same answers.
 */
final class StartGate implements LanguageModel {
    private final LanguageModel inner;
    private boolean holding;     // guarded by this
    private boolean entered;     // a forward step is waiting at the gate

    StartGate(LanguageModel inner) { this.inner = inner; }

    /** From now on the next forward step waits at the gate. */
    synchronized void hold() {
        holding = true;
        entered = false;
    }

    /** Waits until a forward step waits at the gate (true) or until first ended without one (false). */
    synchronized boolean awaitEntered(SequenceHandle first) throws InterruptedException {
        while (!entered && !first.isDone()) wait(5);
        return entered;
    }

    /** Lets a held step (and all later ones) run. */
    synchronized void release() {
        holding = false;
        entered = false;
        notifyAll();
    }

    @Override
    public List<float[]> forward(List<BatchEntry> batch) {
        synchronized (this) {
            if (holding) {
                entered = true;
                notifyAll();
                while (holding) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted at the batch start gate", e);
                    }
                }
            }
        }
        return inner.forward(batch);
    }

    @Override public TextConfig config() { return inner.config(); }

    @Override public KvCache createCache(int maxTokens, KvCacheType type) { return inner.createCache(maxTokens, type); }

    /** The model is shared by the whole JVM: closing a task's view of it does nothing. */
    @Override public void close() { }
}
