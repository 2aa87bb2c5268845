package jmistral.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ChatValidationException;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.MessagePaths;
import jmistral.chat.OutputParser;
import jmistral.generate.ContextOverflowException;
import jmistral.generate.GenerationEvent;
import jmistral.generate.QueueFullException;
import jmistral.generate.SamplingParams;
import jmistral.generate.Scheduler;
import jmistral.generate.SequenceHandle;
import jmistral.generate.SequenceRequest;
import jmistral.generate.TokenConstraint;

/**
 * One chat request on the engine's scheduler: the prompt encoded once (with the engine's default system
 * prompt when the request has none), images embedded at their [IMG] positions, the output constraint,
 * then n sequences (choices) whose tokens {@link ChoiceOutput} turns into chat events on the scheduler's
 * thread, and a final usage once all ended. Events go to one sink, in order.
 *
 * <p>With n > 1 (and no images) the prompt is prefilled once by a one-token sequence; when it ends, its
 * KV blocks go to the prefix cache and the n choices fork them instead of each computing the prompt again.
 */
final class ChatRun implements ChatHandle {

    private final Engine engine;
    private final Scheduler scheduler;          // the engine's, or a batch session's
    private final VisionTower vision;           // the engine's, or a batch session's
    private final ChatRequest request;
    private final Consumer<ChatEvent> sink;
    private final int inserted;                 // system messages the engine put before the caller's
    private int[] prompt;
    private float[][] embeddings;               // [prompt.length][dim] image rows, null rows for text; null without images
    private Supplier<TokenConstraint> constraint;
    private SamplingParams sampling;
    private final List<SequenceHandle> handles = new ArrayList<>();    // guarded by this
    private volatile boolean over;              // cancelled or failed: no more events
    // scheduler thread
    private int running;
    private int completionTokens;
    private int cachedTokens;
    private boolean prefilled;                  // the choices forked a shared prefill (which counted the cached tokens)

    ChatRun(Engine engine, Scheduler scheduler, VisionTower vision, ChatRequest request, Consumer<ChatEvent> sink) {
        this.engine = engine;
        this.scheduler = scheduler;
        this.vision = vision;
        ChatRequest withSystem = request.withDefaultSystemPrompt(engine.systemPrompt());
        this.inserted = withSystem.messages().size() - request.messages().size();
        this.request = withSystem;
        this.sink = sink;
    }

    int promptTokens() { return prompt == null ? 0 : prompt.length; }

    /** The request as the engine runs it (with the default system prompt). */
    ChatRequest request() { return request; }

    /**
     * Encodes, checks the context, embeds images and compiles the constraint; problems are thrown as
     * {@link InvalidRequestException} (a {@link ContextLengthException} when it does not fit).
     */
    ChatRun prepare() {
        EncodedPrompt enc;
        try {
            enc = engine.encoder().encode(request);
        } catch (ChatValidationException e) {
            throw new InvalidRequestException(clientPath(e.path()), clientPath(e.getMessage()), e);
        }
        prompt = enc.tokens();
        sampling = sampling();
        if (!enc.images().isEmpty()) embeddings = engine.imageEmbeddings(enc, vision);
        constraint = engine.constraints().forRequest(request);
        return this;
    }

    /** Error paths name the caller's messages, not the system prompt the engine put before them. */
    private String clientPath(String text) {
        return MessagePaths.shift(text, inserted);
    }

    /** max_tokens defaults to what the context has left; a request that does not fit is refused here. */
    private SamplingParams sampling() {
        ChatOptions o = request.options();
        int limit = scheduler.contextLimit();
        Integer max = o.maxTokens();
        if (prompt.length + (max == null ? 1 : max) > limit) {
            int asked = max == null ? 1 : max;
            throw new ContextLengthException(prompt.length, asked, limit,
                    new ContextOverflowException(prompt.length, max == null ? 0 : max, limit).getMessage());
        }
        SamplingParams s = SamplingParams.defaults()
                .withTemperature(o.temperature() == null ? SamplingParams.DEFAULT_TEMPERATURE : o.temperature())
                .withTopP(o.topP() == null ? 1.0 : Math.max(o.topP(), 1e-9))
                .withTopK(o.topK())
                .withMinP(o.minP())
                .withRepetitionPenalty(o.repetitionPenalty())
                .withSeed(o.seed())
                .withPresencePenalty(o.presencePenalty())
                .withFrequencyPenalty(o.frequencyPenalty())
                .withMaxTokens(max == null ? limit - prompt.length : max)
                .withStop(o.stop())
                .withStopTokenIds(engine.tokenizer().eos());
        return o.logprobs() ? s.withLogprobs(o.topLogprobs()) : s;
    }

    /** Queues the choices (or the shared prefill first); a full queue is an {@link EngineBusyException}. */
    ChatRun start() {
        int n = request.options().n();
        running = n;
        if (n == 1 || embeddings != null) {     // prompts with images are not shared (the prefix cache stops there)
            for (int c = 0; c < n; c++) submit(choice(c));
        } else {
            SequenceRequest prefill = SequenceRequest.of(prompt,
                    SamplingParams.greedy().withMaxTokens(1).withStopTokenIds(engine.tokenizer().eos()));
            submit(prefill, this::afterPrefill);
        }
        return this;
    }

    /** A choice's sequence and the output that reads its tokens (its listener). */
    record Choice(SequenceRequest sequence, ChoiceOutput output) {}

    /** The sequences of all choices, for a batch submitted as one group ({@link #started} takes their handles). */
    List<Choice> choices() {
        running = request.options().n();
        List<Choice> out = new ArrayList<>();
        for (int c = 0; c < request.options().n(); c++) out.add(choice(c));
        return out;
    }

    void started(List<SequenceHandle> submitted) {
        synchronized (this) {
            handles.addAll(submitted);
            if (over) for (SequenceHandle h : submitted) h.cancel();
        }
    }

    private Choice choice(int c) {
        Long seed = request.options().seed();
        SamplingParams s = seed == null || c == 0 ? sampling : sampling.withSeed(seed + c);
        OutputParser parser = seed == null ? new OutputParser(engine.tokenizer())
                : new OutputParser(engine.tokenizer(), OutputParser.seededIds(seed + c));
        ChoiceOutput output = new ChoiceOutput(c, parser, engine.tokenText(), this);
        return new Choice(new SequenceRequest(prompt, embeddings, s, constraint == null ? null : constraint.get(), output, null), output);
    }

    private void submit(Choice c) {
        submit(c.sequence(), c.output());
    }

    private void submit(SequenceRequest r, Consumer<GenerationEvent> listener) {
        SequenceHandle h;
        try {
            h = scheduler.submit(r, listener);
        } catch (QueueFullException e) {
            cancel();
            throw new EngineBusyException("The engine is busy: too many requests are waiting. Retry shortly.");
        } catch (ContextOverflowException e) {
            cancel();
            throw new ContextLengthException(e.promptTokens(), Math.max(1, e.maxTokens()), e.contextLimit(), e.getMessage());
        } catch (IllegalArgumentException e) {
            cancel();
            throw new InvalidRequestException("messages", e.getMessage(), e);
        }
        synchronized (this) {
            handles.add(h);
            if (over) h.cancel();
        }
    }

    /** The shared prompt is in the prefix cache: fork it for every choice (scheduler thread). */
    private void afterPrefill(GenerationEvent e) {
        if (!(e instanceof GenerationEvent.Finished f) || over) return;
        if (f.reason() == jmistral.generate.FinishReason.ERROR) {
            failed("Prompt processing failed: " + f.error());
            return;
        }
        cachedTokens = f.usage().cachedPromptTokens();
        prefilled = true;
        try {
            for (int c = 0; c < request.options().n(); c++) submit(choice(c));
        } catch (RuntimeException ex) {
            failed(ex.getMessage());
        }
    }

    // --- from the choices (scheduler thread) -------------------------------------------------------

    void emit(ChatEvent e) {
        if (!over) sink.accept(e);
    }

    void failed(String message) {
        if (over) return;
        emit(new ChatEvent.Failed(message));
        cancel();
    }

    void choiceEnded(int choice, FinishReason reason, int[] tokens, jmistral.generate.Usage usage) {
        completionTokens += usage.completionTokens();
        if (choice == 0 && !prefilled) cachedTokens = usage.cachedPromptTokens();
        emit(new ChatEvent.ChoiceFinished(choice, reason, tokens));
        if (--running == 0) emit(new ChatEvent.Completed(new Usage(prompt.length, completionTokens, cachedTokens)));
    }

    @Override
    public void cancel() {
        over = true;
        synchronized (this) {
            for (SequenceHandle h : handles) h.cancel();
        }
    }
}
