package jmistral.generate;

import java.util.function.Consumer;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LanguageModel;

/**
 * One prompt at a time, synchronously: the facade the CLI and tests use. Runs on a one-place
 * {@link Scheduler}, so it shares its code paths (and keeps a prefix cache: a chat's earlier turns
 * are not recomputed).
 */
public final class Generator implements AutoCloseable {

    private final KvCache ownedCache;
    private final Scheduler scheduler;

    /** A generator with its own KV cache of contextTokens tokens (speculative decoding on). */
    public Generator(LanguageModel model, int contextTokens, KvCacheType cacheType) {
        this(model, contextTokens, cacheType, Speculation.DEFAULT);
    }

    /** A generator with its own KV cache of contextTokens tokens and the given speculative decoding. */
    public Generator(LanguageModel model, int contextTokens, KvCacheType cacheType, Speculation speculation) {
        this.ownedCache = model.createCache(contextTokens, cacheType);
        this.scheduler = new Scheduler(model, ownedCache, SchedulerConfig.defaults().withMaxParallel(1).withMaxQueue(1)
                .withPrefixCacheEntries(4).withSpeculation(speculation));
    }

    /** A facade over an existing scheduler (not closed by {@link #close()}). */
    public Generator(Scheduler scheduler) {
        this.ownedCache = null;
        this.scheduler = scheduler;
    }

    public Scheduler scheduler() { return scheduler; }

    /** Generates to the end, calling onEvent for each event on this thread; returns the whole result. */
    public GenerationResult generate(SequenceRequest request, Consumer<GenerationEvent> onEvent) {
        SequenceHandle handle = scheduler.submit(request);
        try {
            for (GenerationEvent e; (e = handle.take()) != null; ) {
                if (onEvent != null) onEvent.accept(e);
            }
            return handle.await();
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        } catch (RuntimeException e) {
            handle.cancel();
            throw e;
        }
    }

    /** Token ids in, the whole result out (with per-step top logprobs when params ask for them). */
    public GenerationResult generate(int[] prompt, SamplingParams params) {
        return generate(SequenceRequest.of(prompt, params), null);
    }

    @Override
    public void close() {
        if (ownedCache != null) {
            scheduler.close();
            ownedCache.close();
        }
    }
}
