package jmistral.langchain4j;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import jmistral.chat.ToolCall;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatResponse;
import jmistral.engine.ChatStream;

/**
 * One streamed answer: reads the engine's events on its own (virtual) thread and calls the handler,
 * in order: a partial response per text delta, a partial tool call per argument fragment, a complete
 * tool call when the next call starts or the answer ends, then the complete response (the same one
 * the blocking model returns) or an error.
 *
 * <p>Cancellation: {@link StreamingHandle#cancel()} (each partial callback's context has the handle)
 * cancels the engine's request, which frees its sequence within one step; so does a handler callback
 * that throws (the stream is abandoned: the handler gets the exception in {@code onError}). After a
 * cancel the handler hears nothing more.
 */
final class StreamingAnswer implements StreamingHandle, Runnable {
    private final ChatStream stream;
    private final StreamingChatResponseHandler handler;
    private final String modelName;
    private final ChatResponse.Collector collector = new ChatResponse.Collector();
    private volatile boolean cancelled;
    private PendingCall call;      // the tool call being streamed, completed when the next starts or the answer ends

    private record PendingCall(int index, String id, String name, StringBuilder arguments) {}

    StreamingAnswer(ChatStream stream, StreamingChatResponseHandler handler, String modelName) {
        this.stream = stream;
        this.handler = handler;
        this.modelName = modelName;
    }

    void start() {
        Thread.ofVirtual().name("jmistral-langchain4j-stream").start(this);
    }

    @Override
    public void run() {
        try {
            for (ChatEvent e; (e = stream.next()) != null && !cancelled; ) {
                collector.accept(e);
                if (!deliver(e)) return;
            }
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {     // the handler threw: nobody reads this answer any more
            stream.cancel();
            if (!cancelled) handler.onError(e);
        }
    }

    /** Passes one event on; false after the last one. */
    private boolean deliver(ChatEvent e) {
        switch (e) {
            case ChatEvent.TextDelta d when d.choice() == 0 && !d.text().isEmpty() ->
                    handler.onPartialResponse(new PartialResponse(d.text()), new PartialResponseContext(this));
            case ChatEvent.ToolCallStart s when s.choice() == 0 -> {
                completeCall(jmistral.engine.FinishReason.STOP);      // the previous call ended
                call = new PendingCall(s.index(), s.id(), s.name(), new StringBuilder());
            }
            case ChatEvent.ToolCallArguments a when a.choice() == 0 && call != null && !a.fragment().isEmpty() -> {
                call.arguments().append(a.fragment());
                handler.onPartialToolCall(PartialToolCall.builder().index(call.index()).id(call.id()).name(call.name())
                        .partialArguments(a.fragment()).build(), new PartialToolCallContext(this));
            }
            case ChatEvent.ChoiceFinished f when f.choice() == 0 -> completeCall(f.reason());
            case ChatEvent.Completed c -> {
                handler.onCompleteResponse(ResponseMapping.map(collector.response(), modelName));
                return false;
            }
            case ChatEvent.Failed f -> {
                handler.onError(new LangChain4jException("jmistral: generation failed: " + f.message()));
                return false;
            }
            default -> { }    // empty deltas, other choices (LangChain4j asks for one)
        }
        return true;
    }

    /** The streamed call is complete unless the answer was cut off inside it (then it is no request, as in the response). */
    private void completeCall(jmistral.engine.FinishReason reason) {
        if (call == null) return;
        int index = call.index();
        ToolCall done = new ToolCall(call.id(), call.name(), call.arguments().toString().strip());
        call = null;
        if (ResponseMapping.isComplete(done, reason)) {
            handler.onCompleteToolCall(new CompleteToolCall(index, ResponseMapping.toolExecutionRequest(done)));
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        stream.cancel();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }
}
