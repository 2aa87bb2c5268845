package jmistral.server;

import jmistral.generate.SchedulerMetrics;
import jmistral.server.CompletionEvent.*;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
    public CompletionHandle start(ChatCompletionParams params, CompletionListener listener) {
        ChatCompletionParams.Message last = params.messages().getLast();
        String text = last.content().stream()
                .filter(p -> p instanceof ChatCompletionParams.Text)
                .map(p -> ((ChatCompletionParams.Text) p).text())
                .reduce("", String::concat);
        if (text.contains("OVERFLOW")) throw ApiError.contextLengthExceeded(5000, 100, 4096);
        String[] words = text.isEmpty() ? new String[0] : text.split(" ");
        AtomicBoolean stop = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            int produced = 0;
            for (int c = 0; c < params.n(); c++) {
                var mode = params.toolChoice().mode();
                if (mode == ChatCompletionParams.ToolChoiceMode.REQUIRED || mode == ChatCompletionParams.ToolChoiceMode.NAMED) {
                    String name = mode == ChatCompletionParams.ToolChoiceMode.NAMED ? params.toolChoice().name() : params.tools().getFirst().name();
                    listener.onEvent(new ToolCallStart(c, 0, "abcDEF123", name));
                    listener.onEvent(new ToolCallArguments(c, 0, "{\"city\": "));
                    listener.onEvent(new ToolCallArguments(c, 0, "\"" + text + "\"}"));
                    listener.onEvent(new ChoiceFinished(c, mode == ChatCompletionParams.ToolChoiceMode.NAMED ? "stop" : "tool_calls"));
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
                            ? List.of(new TokenLogprob(piece, -0.5, piece.getBytes(), java.util.Collections.nCopies(params.topLogprobs(), new TopLogprob(piece, -0.5, piece.getBytes()))))
                            : List.of();
                    listener.onEvent(new TextDelta(c, piece, lp));
                    produced++;
                }
                listener.onEvent(new ChoiceFinished(c, limit < words.length ? "length" : "stop"));
            }
            listener.onEvent(new Completed(new Usage(words.length + 3, produced, 0)));
        });
        return () -> {
            stop.set(true);
            cancelled.incrementAndGet();
            firstCancel.countDown();
        };
    }
}
