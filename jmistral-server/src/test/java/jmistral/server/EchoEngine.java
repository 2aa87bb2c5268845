package jmistral.server;

import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.ToolChoice;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatEvent.*;
import jmistral.engine.ChatHandle;
import jmistral.engine.ContextLengthException;
import jmistral.engine.FinishReason;
import jmistral.engine.TokenLogprob;
import jmistral.engine.Usage;
import jmistral.generate.SchedulerMetrics;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A stand-in engine for HTTP-layer tests: answers with the words of the last user message, one
 * word per event, on its own thread; with a required or named tool choice it calls the first (or
 * named) tool with {"city": "<text>"}. Counts cancellations.
 */
final class EchoEngine implements CompletionEngine {
    final AtomicInteger cancelled = new AtomicInteger();
    volatile boolean ready = true;
    /** When set, each word waits this long (lets tests disconnect mid-stream). */
    volatile long delayMillis;
    final CountDownLatch firstCancel = new CountDownLatch(1);
    /** What {@link #schedulerMetrics()} reports (null: none, as while loading). */
    volatile SchedulerMetrics scheduler;

    @Override
    public SchedulerMetrics schedulerMetrics() {
        return scheduler;
    }

    @Override
    public String modelId() {
        return "echo-model";
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public ChatHandle start(ChatRequest request, Consumer<ChatEvent> listener) {
        ChatOptions params = request.options();
        String text = "";
        if (request.messages().getLast() instanceof ChatMessage.User last) {
            text = last.content().stream()
                    .filter(p -> p instanceof ContentPart.Text)
                    .map(p -> ((ContentPart.Text) p).text())
                    .reduce("", String::concat);
        }
        if (text.contains("OVERFLOW")) throw new ContextLengthException(5000, 100, 4096, "too long");
        String[] words = text.isEmpty() ? new String[0] : text.split(" ");
        String said = text;
        AtomicBoolean stop = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            int produced = 0;
            for (int c = 0; c < params.n(); c++) {
                ToolChoice choice = params.toolChoiceFor(!request.tools().isEmpty());
                if (!request.tools().isEmpty() && choice.forcesCall()) {
                    String name = choice.mode() == ToolChoice.Mode.NAMED ? choice.name() : request.tools().getFirst().name();
                    listener.accept(new ToolCallStart(c, 0, "abcDEF123", name));
                    listener.accept(new ToolCallArguments(c, 0, "{\"city\": "));
                    listener.accept(new ToolCallArguments(c, 0, "\"" + said + "\"}"));
                    listener.accept(new ChoiceFinished(c, FinishReason.TOOL_CALLS, new int[0]));
                    produced += 5;
                    continue;
                }
                int limit = params.maxTokens() == null ? words.length : Math.min(words.length, params.maxTokens());
                for (int i = 0; i < limit; i++) {
                    if (stop.get()) return;
                    if (delayMillis > 0) {
                        try { Thread.sleep(delayMillis); } catch (InterruptedException e) { return; }
                    }
                    String piece = (i == 0 ? "" : " ") + words[i];
                    List<TokenLogprob> lp = params.logprobs()
                            ? List.of(new TokenLogprob(piece, -0.5, piece.getBytes(), java.util.Collections.nCopies(params.topLogprobs(), new TokenLogprob.Alternative(piece, -0.5, piece.getBytes()))))
                            : List.of();
                    listener.accept(new TextDelta(c, piece, lp));
                    produced++;
                }
                listener.accept(new ChoiceFinished(c, limit < words.length ? FinishReason.LENGTH : FinishReason.STOP, new int[0]));
            }
            listener.accept(new Completed(new Usage(words.length + 3, produced, 0)));
        });
        return () -> {
            stop.set(true);
            cancelled.incrementAndGet();
            firstCancel.countDown();
        };
    }
}
