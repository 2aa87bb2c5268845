package jmistral.server.engine;

import jmistral.chat.ChatValidationException;
import jmistral.chat.EncodedPrompt;
import jmistral.generate.ContextOverflowException;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationEvent;
import jmistral.generate.GenerationResult;
import jmistral.generate.QueueFullException;
import jmistral.generate.SamplingParams;
import jmistral.generate.SequenceHandle;
import jmistral.generate.SequenceRequest;
import jmistral.generate.TokenConstraint;
import jmistral.generate.Usage;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.server.ChatCompletionParams.ToolChoiceMode;
import jmistral.server.CompletionEngine.CompletionHandle;
import jmistral.server.CompletionEngine.CompletionListener;
import jmistral.server.CompletionEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One chat completion on the scheduler: the prompt encoded once, n sequences (choices), their events
 * translated by {@link ChoiceStream}s on one virtual thread each, and a final usage once all ended.
 *
 * <p>With n > 1 the prompt is prefilled once by a one-token sequence; when it ends, its KV blocks go to
 * the prefix cache and the n choices fork them instead of each computing the prompt again.
 */
final class CompletionRun implements CompletionHandle {
    private static final Pattern MESSAGE_INDEX = Pattern.compile("messages\\[(\\d+)]");
    private static final int RETRY_AFTER_SECONDS = 2;

    private final ServingModel m;
    private final ChatCompletionParams p;
    private final CompletionListener listener;
    private final int[] prompt;
    private float[][] embeddings;      // [prompt.length][dim] image rows, null rows for text; null without images
    private final Supplier<TokenConstraint> constraint;
    private final SamplingParams sampling;
    private final List<SequenceHandle> handles = new ArrayList<>();    // guarded by this
    private final AtomicInteger running;
    private final AtomicInteger completionTokens = new AtomicInteger();
    private volatile int cachedTokens;
    private volatile boolean cancelled;

    private CompletionRun(ServingModel m, ChatCompletionParams p, CompletionListener listener) {
        this.m = m;
        this.p = p;
        this.listener = listener;
        this.prompt = encode();
        this.constraint = m.constraints.forRequest(p);
        this.sampling = sampling();
        this.running = new AtomicInteger(p.n());
    }

    /** Validates, encodes and queues the request; problems found before generation are thrown as ApiError. */
    static CompletionRun start(ServingModel m, ChatCompletionParams p, CompletionListener listener) {
        CompletionRun run = new CompletionRun(m, p, listener);
        if (p.n() == 1 || run.embeddings != null) {     // prompts with images are not shared (prefix cache stops there)
            for (int c = 0; c < p.n(); c++) run.submitChoice(c, c == 0);
        } else {
            SequenceHandle prefill = run.submit(SequenceRequest.of(run.prompt,
                    SamplingParams.greedy().withMaxTokens(1).withStopTokenIds(m.tekken.eos())));
            Thread.ofVirtual().name("jmistral-prefill").start(() -> run.afterPrefill(prefill));
        }
        return run;
    }

    @Override
    public void cancel() {
        cancelled = true;
        synchronized (this) {
            for (SequenceHandle h : handles) h.cancel();
        }
    }

    private int[] encode() {
        ChatRequestMapper.Mapped mapped = m.mapper.map(p);
        EncodedPrompt enc;
        try {
            enc = m.encoder.encode(mapped.request());
        } catch (ChatValidationException e) {
            String path = clientPath(e.path(), mapped.insertedMessages());
            throw ApiError.invalidRequest(path, clientPath(e.getMessage(), mapped.insertedMessages()));
        }
        if (!enc.images().isEmpty()) {
            try {
                embeddings = m.images.promptEmbeddings(enc, mapped.pixels()::get);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidRequest("messages", "The images cannot be placed in the prompt: " + e.getMessage());
            }
        }
        return enc.tokens();
    }

    /** Error paths name the client's messages, not the system prompts the server put before them. */
    private static String clientPath(String text, int inserted) {
        if (inserted == 0 || text == null) return text;
        Matcher mt = MESSAGE_INDEX.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (mt.find()) mt.appendReplacement(sb, "messages[" + Math.max(0, Integer.parseInt(mt.group(1)) - inserted) + "]");
        return mt.appendTail(sb).toString();
    }

    /** max_tokens defaults to what the context has left; a request that does not fit is a 400. */
    private SamplingParams sampling() {
        int limit = m.scheduler.contextLimit();
        Integer max = p.maxTokens();
        if (prompt.length + (max == null ? 1 : max) > limit) {
            throw ApiError.contextLengthExceeded(prompt.length, max == null ? 1 : max, limit);
        }
        int maxTokens = max == null ? limit - prompt.length : max;
        SamplingParams s = SamplingParams.defaults()
                .withTemperature(p.temperature() == null ? SamplingParams.DEFAULT_TEMPERATURE : p.temperature())
                .withTopP(p.topP() == null ? 1.0 : Math.max(p.topP(), 1e-9))
                .withSeed(p.seed())
                .withPresencePenalty(p.presencePenalty())
                .withFrequencyPenalty(p.frequencyPenalty())
                .withMaxTokens(maxTokens)
                .withStop(p.stop())
                .withStopTokenIds(m.tekken.eos());
        return p.logprobs() ? s.withLogprobs(p.topLogprobs()) : s;
    }

    private SequenceHandle submit(SequenceRequest request) {
        try {
            SequenceHandle h = m.scheduler.submit(request);
            synchronized (this) {
                handles.add(h);
                if (cancelled) h.cancel();
            }
            return h;
        } catch (QueueFullException e) {
            throw ApiError.overloaded(RETRY_AFTER_SECONDS);
        } catch (ContextOverflowException e) {
            throw ApiError.contextLengthExceeded(e.promptTokens(), e.maxTokens(), e.contextLimit());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("messages", e.getMessage());
        }
    }

    private void submitChoice(int choice, boolean reportCached) {
        SamplingParams s = p.seed() == null || choice == 0 ? sampling : sampling.withSeed(p.seed() + choice);
        boolean named = p.toolChoice().mode() == ToolChoiceMode.NAMED && !p.tools().isEmpty();
        ChoiceStream stream = new ChoiceStream(choice, m.newParser(), m.tokenText, named, listener);
        SequenceRequest req = new SequenceRequest(prompt, embeddings, s, constraint == null ? null : constraint.get(), stream, null);
        SequenceHandle h = submit(req);
        Thread.ofVirtual().name("jmistral-choice-" + choice).start(() -> read(h, stream, reportCached));
    }

    private void read(SequenceHandle h, ChoiceStream stream, boolean reportCached) {
        try {
            for (GenerationEvent e; (e = h.take()) != null; ) {
                Usage u = stream.accept(e);
                if (u != null) {
                    completionTokens.addAndGet(u.completionTokens());
                    if (reportCached) cachedTokens = u.cachedPromptTokens();
                }
            }
        } catch (InterruptedException e) {
            h.cancel();
            return;
        } catch (RuntimeException e) {
            h.cancel();
            listener.onEvent(new CompletionEvent.Failed(ApiError.internal("Generation failed: " + e)));
            return;
        }
        choiceEnded();
    }

    private void afterPrefill(SequenceHandle prefill) {
        try {
            GenerationResult r = prefill.await();
            if (cancelled) return;
            if (r.reason() == FinishReason.ERROR) {
                listener.onEvent(new CompletionEvent.Failed(ApiError.internal("Prompt processing failed: " + r.error())));
                return;
            }
            cachedTokens = r.usage().cachedPromptTokens();
            for (int c = 0; c < p.n(); c++) submitChoice(c, false);
        } catch (ApiError e) {
            cancel();
            listener.onEvent(new CompletionEvent.Failed(e));
        } catch (InterruptedException e) {
            cancel();
        }
    }

    private void choiceEnded() {
        if (running.decrementAndGet() == 0 && !cancelled) {
            listener.onEvent(new CompletionEvent.Completed(
                    new CompletionEvent.Usage(prompt.length, completionTokens.get(), cachedTokens)));
        }
    }
}
