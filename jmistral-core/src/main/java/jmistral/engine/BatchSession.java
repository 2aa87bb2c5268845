package jmistral.engine;

import java.util.List;
import jmistral.chat.ChatRequest;
import jmistral.generate.LoopGuard;
import jmistral.generate.Scheduler;
import jmistral.generate.SchedulerConfig;
import jmistral.generate.Speculation;
import jmistral.model.KvCache;

/**
 * Batches on a scheduler of their own (see {@link Engine#newBatchSession}): the requests of one
 * {@link #run} are admitted together and share steps with nothing else. One per task; not for
 * concurrent use. Closing it frees its sequences and gives the KV cache back to the engine.
 */
public final class BatchSession implements AutoCloseable {
    private final Engine engine;
    private final KvCache kv;
    private final Scheduler scheduler;
    private final VisionTower vision;

    BatchSession(Engine engine, int maxParallel, int maxContext, VisionTower vision, int draftTokens) {
        if (maxParallel < 1) throw new IllegalArgumentException("maxParallel must be >= 1, got " + maxParallel);
        if (maxContext < 16) throw new IllegalArgumentException("maxContext must be >= 16, got " + maxContext);
        this.engine = engine;
        this.vision = vision;
        int context = Math.min(maxContext, engine.maxSeqLen());
        this.kv = engine.borrowCache(Math.multiplyExact(maxParallel, context));
        try {
            this.scheduler = engine.newScheduler(kv, SchedulerConfig.defaults().withMaxParallel(maxParallel)
                    .withMaxQueue(maxParallel).withMaxContext(context).withPrefixCacheEntries(maxParallel)
                    .withLoopGuard(LoopGuard.Config.DEFAULT).withSpeculation(Speculation.DEFAULT.withDraftTokens(draftTokens)));
        } catch (RuntimeException e) {
            kv.close();
            throw e;
        }
    }

    /** Tokens one request may hold (prompt + answer). */
    public int contextLimit() { return scheduler.contextLimit(); }

    /**
     * Answers in the order of the requests (at most 2 x maxParallel at once); a request that cannot run
     * gets a response with its {@link ChatResponse#error()}.
     */
    public List<ChatResponse> run(List<ChatRequest> requests) {
        return engine.batch(scheduler, vision, requests);
    }

    @Override
    public void close() {
        scheduler.close();              // frees every sequence and cached prefix
        engine.returnCache(kv);
    }
}
