package jmistral.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.LanguageModel;
import jmistral.tensor.ComputePool;

/**
 * Continuous batching: one thread runs forward steps over every active sequence at once, so the
 * weights are read once per step for all of them. Requests come from any thread through
 * {@link #submit} and get a {@link SequenceHandle} (events, result, cancel).
 *
 * <p>Each step: (1) drop cancelled sequences and free their KV blocks; (2) admit waiting requests while
 * places ({@code maxParallel}) and KV blocks allow, forking the longest cached prefix instead of
 * recomputing it; (3) plan the batch: one token for each decoding sequence, then prompt chunks within
 * the token budget (chunked prefill), evicting cached prefixes or pushing the newest sequence back to
 * the queue if KV blocks run short; (4) one {@code model.forward}; (5) sample for every sequence whose
 * history is now all in its cache, emit events, finish those that stop. A finished sequence's cache
 * goes to the prefix cache (or is freed) at once.
 *
 * <p>Speculative decoding ({@link Speculation}): a decoding sequence whose newest tokens occurred earlier
 * in its history forwards, with its next token, a draft of the K tokens that followed them there, and
 * gets logits at all K+1 positions from the same step (its matmuls take K+1 rows of tokens per weight
 * read). Position i is then sampled exactly as plain decoding would sample it, with the same sampler
 * state, constraint and random stream: draft token i+1 is accepted when the sampled token equals it,
 * and the first token that differs is kept as the sequence's next token and ends the step for it; the
 * KV cache is cut back to the accepted tokens. For greedy decoding this is the exact-match rule; for
 * sampling it is the standard speculative acceptance rule with a deterministic drafter (q a point
 * mass on the draft d): d is accepted with probability p(d), and on rejection the token drawn from p
 * conditioned on not being d is a draw from the residual max(0, p - q) renormalized. So the output
 * follows the same distribution as plain decoding (with a fixed seed, the same tokens up to float
 * rounding), and penalties, constraints, stop strings, the loop guard and logprobs see only the
 * tokens kept.
 */
public final class Scheduler implements AutoCloseable {

    private final LanguageModel model;
    private final KvCache kv;
    private final SchedulerConfig config;
    private final int vocab;
    private final int contextLimit;
    private final Thread thread;

    // hand-over from callers
    private final ConcurrentLinkedQueue<Sequence> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();        // submitted, not yet admitted
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean signalled;                                         // guarded by lock
    private volatile boolean closed;
    private final AtomicLong ids = new AtomicLong();
    private final List<SchedulerListener> listeners = new CopyOnWriteArrayList<>();

    // scheduler-thread state
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> active = new ArrayList<>();           // in admission order
    private final PrefixCache prefixCache;

    // metrics, written by the scheduler thread
    private volatile int running;
    private volatile int prefixEntries;
    private final AtomicLong requestsFinished = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong cachedPromptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong forwardedTokens = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong preemptions = new AtomicLong();
    private final AtomicLong draftedTokens = new AtomicLong();
    private final AtomicLong acceptedTokens = new AtomicLong();
    private final int[] draftBuffer;                                   // PromptLookup's output, scheduler thread only

    /** Starts the scheduler thread. The KV cache stays the caller's (closed by the caller after close()). */
    public Scheduler(LanguageModel model, KvCache kv, SchedulerConfig config) {
        this(model, kv, config, null);
    }

    /**
     * As above, with the forward steps' kernels on {@code pool} (an engine's own compute pool; null = the
     * process-wide one, {@link ComputePool#shared()}).
     */
    public Scheduler(LanguageModel model, KvCache kv, SchedulerConfig config, ComputePool pool) {
        this.model = model;
        this.kv = kv;
        this.config = config;
        this.vocab = model.config().vocabSize();
        long capacity = (long) kv.totalBlocks() * kv.blockSize();
        long limit = Math.min(model.config().maxSeqLen(), capacity);
        if (config.maxContext() > 0) limit = Math.min(limit, config.maxContext());
        this.contextLimit = (int) limit;
        this.prefixCache = new PrefixCache(config.prefixCacheEntries());
        this.draftBuffer = new int[config.speculation().draftTokens()];
        Runnable steps = pool == null ? this::loop : () -> pool.within(this::loop);
        this.thread = Thread.ofPlatform().name("jmistral-scheduler").daemon().unstarted(steps);
        thread.start();
    }

    /** Tokens one sequence may hold at most (prompt + completion). */
    public int contextLimit() { return contextLimit; }

    public void addListener(SchedulerListener l) { listeners.add(l); }

    /**
     * Queues a request. Returns at once; events arrive on the handle.
     *
     * @throws ContextOverflowException the prompt plus max_tokens does not fit in the context
     * @throws QueueFullException       too many requests are waiting
     * @throws IllegalArgumentException a token id outside the vocabulary
     */
    public SequenceHandle submit(SequenceRequest request) {
        return submit(request, null);
    }

    /**
     * Like {@link #submit(SequenceRequest)}, but events are pushed to listener on the scheduler thread
     * (it must be quick and never block; if it throws, the sequence is cancelled).
     */
    public SequenceHandle submit(SequenceRequest request, java.util.function.Consumer<GenerationEvent> listener) {
        if (closed) throw new IllegalStateException("the scheduler is closed");
        validate(request);
        int limit = config.maxQueue() + Math.max(0, config.maxParallel() - running);
        for (int q = queued.get(); ; q = queued.get()) {
            if (q >= limit) throw new QueueFullException(config.maxQueue());
            if (queued.compareAndSet(q, q + 1)) break;
        }
        SequenceHandle handle = new SequenceHandle(ids.incrementAndGet(), this::wakeUp, listener);
        inbox.add(new Sequence(request, handle, config.loopGuard(), System.nanoTime()));
        wakeUp();
        return handle;
    }

    /**
     * Queues several requests as one group: the scheduler takes them into its waiting line together, so
     * they are admitted in the same step when places and KV blocks allow (a batch then runs the same
     * steps whatever the timing of the caller). Validates every request first; nothing is queued when one
     * is refused.
     *
     * @param listeners one per request (events on the scheduler thread, as in {@link #submit(SequenceRequest,
     *                  java.util.function.Consumer)}); a null entry sends that request's events to its handle
     */
    public List<SequenceHandle> submitAll(List<SequenceRequest> requests,
                                          List<java.util.function.Consumer<GenerationEvent>> listeners) {
        if (closed) throw new IllegalStateException("the scheduler is closed");
        if (requests.size() != listeners.size())
            throw new IllegalArgumentException(requests.size() + " requests but " + listeners.size() + " listeners");
        for (SequenceRequest r : requests) validate(r);
        int n = requests.size();
        int limit = config.maxQueue() + Math.max(0, config.maxParallel() - running);
        for (int q = queued.get(); ; q = queued.get()) {
            if (q + n > limit) throw new QueueFullException(config.maxQueue());
            if (queued.compareAndSet(q, q + n)) break;
        }
        List<SequenceHandle> handles = new ArrayList<>(n);
        List<Sequence> group = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SequenceHandle handle = new SequenceHandle(ids.incrementAndGet(), this::wakeUp, listeners.get(i));
            handles.add(handle);
            group.add(new Sequence(requests.get(i), handle, config.loopGuard(), System.nanoTime()));
        }
        lock.lock();
        try {
            inbox.addAll(group);           // the scheduler drains the inbox under the lock: all or none
        } finally {
            lock.unlock();
        }
        wakeUp();
        return handles;
    }

    private void validate(SequenceRequest request) {
        int[] prompt = request.prompt();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab)
                throw new IllegalArgumentException("prompt token " + i + " is " + prompt[i]
                        + ", outside the vocabulary [0, " + vocab + ")");
        }
        int max = request.params().maxTokens();
        if ((long) prompt.length + Math.max(max, 1) > contextLimit)
            throw new ContextOverflowException(prompt.length, max, contextLimit);
    }

    public SchedulerMetrics metrics() {
        int total = kv.totalBlocks();
        return new SchedulerMetrics(queued.get(), running, total, total - kv.freeBlocks(), prefixEntries,
                requestsFinished.get(), promptTokens.get(), cachedPromptTokens.get(), generatedTokens.get(),
                forwardedTokens.get(), steps.get(), preemptions.get(), draftedTokens.get(), acceptedTokens.get());
    }

    /** Stops the thread; sequences still running or waiting end with CANCELLED; cached prefixes are freed. */
    @Override
    public void close() {
        closed = true;
        wakeUp();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void wakeUp() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // --- the scheduler thread ---------------------------------------------------------------------

    private void loop() {
        try {
            while (awaitWork()) {
                drainInbox();
                try {
                    step();
                } catch (RuntimeException | Error e) {     // a bug must not kill the thread silently
                    for (Sequence s : List.copyOf(active)) finish(s, FinishReason.ERROR, "", "scheduler failure: " + e);
                }
            }
        } finally {
            for (Sequence s; (s = inbox.poll()) != null; ) waiting.addLast(s);
            for (Sequence s : List.copyOf(active)) finish(s, FinishReason.CANCELLED, "", null);
            while (!waiting.isEmpty()) finishWaiting(waiting.pollFirst(), FinishReason.CANCELLED, null);
            prefixCache.clear();
            prefixEntries = 0;
        }
    }

    /** Moves submitted requests to the waiting line (under the lock, so a group from submitAll moves whole). */
    private void drainInbox() {
        lock.lock();
        try {
            for (Sequence s; (s = inbox.poll()) != null; ) waiting.addLast(s);
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps until there is something to do; false when closed. */
    private boolean awaitWork() {
        lock.lock();
        try {
            while (!closed && !signalled && inbox.isEmpty() && waiting.isEmpty() && active.isEmpty()) {
                wake.awaitUninterruptibly();
            }
            signalled = false;
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    private void step() {
        dropCancelled();
        admit();
        running = active.size();
        prefixEntries = prefixCache.size();
        if (active.isEmpty()) return;

        List<Planned> plan = planBatch();
        if (plan.isEmpty()) return;
        List<Sequence> batch = new ArrayList<>(plan.size());
        List<BatchEntry> entries = new ArrayList<>(plan.size());
        int tokens = 0, drafted = 0;
        for (Planned pl : plan) {
            Sequence s = pl.sequence();
            int from = s.cache.length(), n = pl.tokens();
            int[] ids = Arrays.copyOfRange(s.tokens, from, from + n);   // a draft goes after the history token
            System.arraycopy(pl.draft(), 0, ids, n - pl.draft().length, pl.draft().length);
            batch.add(s);
            entries.add(new BatchEntry(s.cache, ids, s.embeddings(from, n), pl.draft().length > 0));
            tokens += n;
            drafted += pl.draft().length;
        }

        long t0 = System.nanoTime();
        List<float[]> logits;
        try {
            logits = model.forward(entries);
            if (logits.size() != entries.size())
                throw new IllegalStateException("forward returned " + logits.size() + " results for " + entries.size() + " entries");
        } catch (RuntimeException e) {
            for (Sequence s : batch) finish(s, FinishReason.ERROR, "", "forward pass failed: " + e.getMessage());
            return;
        }
        long t1 = System.nanoTime();
        steps.incrementAndGet();
        forwardedTokens.addAndGet(tokens);
        draftedTokens.addAndGet(drafted);
        var stepStats = new SchedulerListener.StepStats(batch.size(), tokens, drafted, t1 - t0);
        for (SchedulerListener l : listeners) {
            try {
                l.stepDone(stepStats);
            } catch (RuntimeException ignored) {
                // a broken listener must not break generation
            }
        }

        for (int i = 0; i < batch.size(); i++) {
            Sequence s = batch.get(i);
            int[] draft = plan.get(i).draft();
            if (draft.length > 0) verify(s, draft, logits.get(i), t1);
            else if (s.uncached() == 0) sampleNext(s, logits.get(i), logits.get(i).length - vocab, t1);
        }
        model.recycle(logits); // sampled and verified: nothing reads them any more
        running = active.size();
        prefixEntries = prefixCache.size();
    }

    private void dropCancelled() {
        for (Sequence s : List.copyOf(active)) {
            if (s.handle.cancelRequested()) finish(s, FinishReason.CANCELLED, "", null);
        }
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.handle.cancelRequested()) {
                it.remove();
                finishWaiting(s, FinishReason.CANCELLED, null);
            }
        }
    }

    /** Moves waiting requests into the batch while places and KV blocks allow (first come, first served). */
    private void admit() {
        int bs = kv.blockSize();
        while (!waiting.isEmpty() && active.size() < config.maxParallel()) {
            Sequence s = waiting.peekFirst();
            PrefixCache.Match m = prefixCache.lookup(s.keys(s.length), s.length - 1);
            int reuse = m == null ? 0 : m.length();
            // new blocks for the history beyond the shared full blocks, plus one to grow into
            int need = ceilDiv(s.length, bs) - reuse / bs + (active.isEmpty() ? 0 : 1);
            while (kv.freeBlocks() < need && prefixCache.evictOldest(m == null ? null : m.entry())) {
                // evicting least recently used prefixes
            }
            if (kv.freeBlocks() < need) {
                if (!active.isEmpty()) return;                  // wait for running sequences to finish
                if (m != null) { prefixCache.clear(); continue; }
                waiting.pollFirst();
                finishWaiting(s, FinishReason.ERROR, "the KV cache has " + kv.freeBlocks() + " free blocks of "
                        + bs + " tokens; the request needs " + need);
                continue;
            }
            waiting.pollFirst();
            s.cache = reuse > 0 ? m.entry().cache.fork(reuse) : kv.newSequence();
            if (s.admitNanos < 0) {                             // first admission (not a preempted one)
                queued.decrementAndGet();
                s.admitNanos = System.nanoTime();
                s.cachedPromptTokens = Math.min(reuse, s.promptLength);
                s.sampler = new Sampler(s.request.params(), vocab, s.request.prompt(), s.request.constraint());
                promptTokens.addAndGet(s.promptLength);
                cachedPromptTokens.addAndGet(s.cachedPromptTokens);
            }
            active.add(s);
        }
    }

    /**
     * A sequence's share of the next step: how many tokens to forward, its uncached ones and then
     * the draft tokens (empty unless it decodes speculatively).
     */
    private record Planned(Sequence sequence, int tokens, int[] draft) {
        Planned(Sequence sequence, int tokens) {
            this(sequence, tokens, NO_DRAFT);
        }
    }

    private static final int[] NO_DRAFT = new int[0];

    /**
     * Decode tokens first (one per sequence), then prompt chunks within the token budget; makes room
     * in the KV pool by evicting cached prefixes, then by preempting the newest sequences.
     */
    private List<Planned> planBatch() {
        int bs = kv.blockSize();
        boolean drafts = config.speculation().enabled();
        while (true) {
            List<Planned> batch = new ArrayList<>();
            int budget = config.maxBatchTokens();
            for (Sequence s : active) {
                if (s.uncached() == 1) { batch.add(new Planned(s, 1)); budget--; }
            }
            // drafts fill the step up to the speculation's step size (and the token budget)
            int room = Math.min(budget, config.speculation().stepTokens() - batch.size());
            for (int i = 0; drafts && i < batch.size() && room > 0; i++) {
                int[] draft = draft(batch.get(i).sequence(), room);
                room -= draft.length;
                batch.set(i, new Planned(batch.get(i).sequence(), 1 + draft.length, draft));
                budget -= draft.length;
            }
            for (Sequence s : active) {
                int u = s.uncached();
                if (u > 1 && budget > 0) {
                    int n = Math.min(u, budget);
                    batch.add(new Planned(s, n));
                    budget -= n;
                }
            }
            int need = 0;
            for (Planned pl : batch) {
                int len = pl.sequence().cache.length();
                need += ceilDiv(len + pl.tokens(), bs) - ceilDiv(len, bs);
            }
            if (need <= kv.freeBlocks()) return batch;
            if (drafts) { drafts = false; continue; }          // speculation is the first thing to give up
            if (prefixCache.evictOldest(null)) continue;
            Sequence newest = active.getLast();
            if (active.size() > 1) {                           // recompute it later
                active.removeLast();
                newest.cache.close();
                newest.cache = null;
                waiting.addFirst(newest);
                preemptions.incrementAndGet();
            } else {
                finish(newest, FinishReason.ERROR, "", "the KV cache is full (" + kv.totalBlocks() + " blocks of "
                        + bs + " tokens)");
                return List.of();
            }
        }
    }

    /**
     * A draft for s, a decoding sequence (its one uncached token is its newest): at most K tokens, as
     * many as its max_tokens, the context and the step's token budget leave room for, cut where the
     * constraint would refuse one. Empty when nothing earlier matches its newest tokens.
     */
    private int[] draft(Sequence s, int budget) {
        if (s.draftPause > 0) {                                   // backing off after a wholly rejected draft
            s.draftPause--;
            return NO_DRAFT;
        }
        int max = Math.min(Math.min(draftBuffer.length, s.draftLimit), budget);
        int maxTokens = s.request.params().maxTokens();
        if (maxTokens > 0) max = Math.min(max, maxTokens - s.completionTokens - 1);
        max = Math.min(max, contextLimit - s.length);             // the cache holds length + draft tokens
        int n = PromptLookup.draft(s.tokens, s.length, config.speculation(), max, draftBuffer);
        TokenConstraint constraint = s.request.constraint();
        if (n > 0 && constraint != null) n = constraint.acceptablePrefix(draftBuffer, n);
        return n == 0 ? NO_DRAFT : Arrays.copyOf(draftBuffer, n);
    }

    /**
     * Accepts or rejects the draft s forwarded after its newest token (logits [draft.length + 1][vocab]):
     * samples position by position as plain decoding would, keeps draft token i + 1 while it equals
     * what position i sampled, and cuts the KV cache back to the history at the first difference
     * (the token sampled there is the sequence's next one) or when the sequence ends. The sequence's
     * next draft length follows: twice this one when all was accepted (up to K), else one more than
     * the tokens accepted. A draft of which nothing was accepted also pauses drafting for the sequence,
     * 1 step the first time and twice as long after each further one (up to {@link #MAX_DRAFT_PAUSE});
     * any accepted token ends that. On these CPUs a forward of 2 tokens costs 2 of 1 token (bench
     * {@code --batch 2 --draft-tokens 1}: 1.96-2.04x), so a sequence whose text keeps matching earlier
     * n-grams that the model does not follow drafted a token at every match and decoded at up to half
     * speed; with the pauses, wholly rejected drafts take a vanishing share of its steps.
     */
    private void verify(Sequence s, int[] draft, float[] logits, long now) {
        int base = s.length;                      // history before; the cache holds base + draft.length
        int accepted = 0;
        for (int i = 0; i <= draft.length; i++) {
            Sample sample = draw(s, logits, i * vocab);
            if (sample == null) break;
            boolean match = i < draft.length && sample.token() == draft[i];
            if (match) {
                accepted++;
                acceptedTokens.incrementAndGet(); // counted before emit: a caller woken there sees it
            } else {
                s.cache.truncate(base + i);        // drafts from position base + i on were wrong
            }
            if (!emit(s, sample, now) || !match) break;
        }
        s.draftLimit = accepted == draft.length ? Math.min(draftBuffer.length, 2 * draft.length) : accepted + 1;
        s.draftBackoff = accepted > 0 ? 0 : Math.min(MAX_DRAFT_PAUSE, Math.max(1, 2 * s.draftBackoff));
        s.draftPause = s.draftBackoff;
    }

    /** The longest pause, in steps, of a sequence's drafting after wholly rejected drafts ({@link #verify}). */
    static final int MAX_DRAFT_PAUSE = 32;

    /** Samples the next token of s from its logits and decides whether s goes on. */
    private void sampleNext(Sequence s, float[] logits, int offset, long now) {
        Sample sample = draw(s, logits, offset);
        if (sample != null) emit(s, sample, now);
    }

    /** The sampler's pick from logits[offset, offset + vocab), or null when sampling failed (s ended). */
    private Sample draw(Sequence s, float[] logits, int offset) {
        try {
            return s.sampler.sample(logits, offset);
        } catch (RuntimeException e) {
            finish(s, FinishReason.ERROR, flushText(s), "sampling failed: " + e.getMessage());
            return null;
        }
    }

    /** Counts and reports a sampled token; true when s goes on, false when it ended with it. */
    private boolean emit(Sequence s, Sample sample, long now) {
        SamplingParams p = s.request.params();
        generatedTokens.incrementAndGet();
        s.completionTokens++;
        if (s.firstTokenNanos < 0) s.firstTokenNanos = now;
        int t = sample.token();
        if (p.isStopToken(t)) {
            finish(s, FinishReason.STOP, flushText(s), null);
            return false;
        }
        s.append(t);
        String piece = s.request.decoder() != null ? s.request.decoder().decode(t) : "";
        String released = s.stopMatcher.push(piece);
        GenerationEvent.Token event = new GenerationEvent.Token(t, released, sample.logprob(), sample.top());
        s.steps.add(event);
        s.text.append(released);
        s.handle.emit(event);
        if (s.stopMatcher.stopped()) {
            finish(s, FinishReason.STOP, "", null);
        } else if (s.loopGuard.accept(t)) {
            finish(s, FinishReason.LOOP, flushText(s), null);
        } else if ((p.maxTokens() > 0 && s.completionTokens >= p.maxTokens()) || s.length >= contextLimit) {
            finish(s, FinishReason.LENGTH, flushText(s), null);
        } else {
            return true;
        }
        return false;
    }

    /** Text still buffered in the decoder and the stop matcher, at the end. */
    private static String flushText(Sequence s) {
        String rest = s.request.decoder() != null ? s.request.decoder().flush() : "";
        return s.stopMatcher.push(rest) + s.stopMatcher.flush();
    }

    /** Ends an active sequence: its cache goes to the prefix cache or is freed now. */
    private void finish(Sequence s, FinishReason reason, String text, String error) {
        active.remove(s);
        if (s.cache != null) {
            // drafts verified in the same step as the end may lie past the history: not part of it
            if (s.cache.length() > s.length) s.cache.truncate(s.length);
            boolean keep = reason == FinishReason.STOP || reason == FinishReason.LENGTH || reason == FinishReason.LOOP;
            int share = s.cache.length();
            if (keep && share > 0) prefixCache.put(s.keys(share), s.cache);
            else s.cache.close();
            s.cache = null;
        }
        complete(s, reason, text, error);
    }

    /** Ends a request that never started (or was preempted and waits again). */
    private void finishWaiting(Sequence s, FinishReason reason, String error) {
        if (s.admitNanos < 0) queued.decrementAndGet();
        complete(s, reason, "", error);
    }

    private void complete(Sequence s, FinishReason reason, String text, String error) {
        requestsFinished.incrementAndGet();          // counters first: a caller woken below sees them
        running = active.size();
        prefixEntries = prefixCache.size();
        s.text.append(text);
        Usage usage = s.usage();
        long now = System.nanoTime();
        var stats = new SchedulerListener.RequestStats(s.handle.id(), reason, usage,
                (s.admitNanos < 0 ? now : s.admitNanos) - s.submitNanos,
                s.firstTokenNanos < 0 ? -1 : s.firstTokenNanos - s.submitNanos, now - s.submitNanos);
        for (SchedulerListener l : listeners) {
            try {
                l.requestFinished(stats);
            } catch (RuntimeException ignored) {
                // a broken listener must not break generation
            }
        }
        s.handle.emit(new GenerationEvent.Finished(reason, text, usage, error));
        int[] generated = Arrays.copyOfRange(s.tokens, s.promptLength, s.length);
        s.handle.complete(new GenerationResult(generated, s.text.toString(), List.copyOf(s.steps), reason, usage, error));
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }
}
