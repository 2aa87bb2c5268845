package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatHandle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code POST /v1/responses}, OpenAI's Responses API, stateless: the body becomes the equivalent
 * chat-completions request ({@link ResponsesRequest}), runs through the same parser and engine as
 * {@code /v1/chat/completions}, and its events become a response ({@link ResponseAssembler}). Errors
 * before the answer starts have the same {@code {"error": ...}} body and status as chat completions.
 */
final class ResponsesEndpoint {
    private final ObjectMapper json;
    private final CompletionEngine engine;
    private final ServerMetrics metrics;

    ResponsesEndpoint(ObjectMapper json, CompletionEngine engine, ServerMetrics metrics) {
        this.json = json;
        this.engine = engine;
        this.metrics = metrics;
    }

    void handle(ServerRequest req, ServerResponse res, byte[] body) {
        if (!engine.isReady()) throw ApiError.loading();
        ResponsesRequest request = ResponsesRequest.parse(json, body);
        ChatCompletionRequest params;
        try {
            params = new ChatRequestParser(json, engine.allowRemoteImages(), engine.canReadImages())
                    .parse(json.writeValueAsBytes(request.chatBody()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.internal("Could not map the request: " + e.getOriginalMessage());
        }
        long startNanos = System.nanoTime();
        RequestEvents events = new RequestEvents(ClientConnection.of(req));
        ChatHandle handle = ChatCompletionsEndpoint.start(engine, params.withSystemPrompts(engine.defaultSystemPrompt()), events);
        String id = "resp_" + ChatCompletionsEndpoint.randomId(24);
        String model = request.echo().model() != null ? request.echo().model() : engine.modelId();
        metrics.requestStarted();
        try {
            if (request.stream()) stream(res, request, events, id, model, startNanos);
            else answer(res, request, events, id, model, startNanos);
        } catch (RequestEvents.ClientGone gone) {
            ChatCompletionsEndpoint.clientLeft(res, request.stream(), handle, metrics, id, startNanos);
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
        } finally {
            metrics.requestFinished();
        }
    }

    private void answer(ServerResponse res, ResponsesRequest request, RequestEvents events,
                        String id, String model, long startNanos) throws InterruptedException {
        ResponseAssembler assembler = new ResponseAssembler(json, id, model, request.echo(), event -> { });
        try {
            while (true) {
                ChatEvent e = events.next();
                if (e instanceof ChatEvent.Failed f) {
                    RequestLog.failed(id, startNanos, f.message());
                    throw ApiError.internal(f.message());
                }
                ObjectNode done = assembler.on(e);
                if (done != null) {
                    finished(id, (ChatEvent.Completed) e, assembler, startNanos);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(done.toString().getBytes(StandardCharsets.UTF_8));
                    return;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("a blocking response writes no events", e);
        }
    }

    /** Writes the events; a write that fails (the client left) is {@link RequestEvents.ClientGone}. */
    private void stream(ServerResponse res, ResponsesRequest request, RequestEvents events,
                        String id, String model, long startNanos)
            throws InterruptedException {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream out = res.outputStream()) {
            ResponseAssembler assembler = new ResponseAssembler(json, id, model, request.echo(), event -> {
                // the documented framing: the event's type on its own line, then its JSON
                out.write(("event: " + event.get("type").asText() + "\ndata: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            });
            assembler.start();
            while (true) {
                ChatEvent e = events.next();
                if (assembler.on(e) != null) {
                    finished(id, (ChatEvent.Completed) e, assembler, startNanos);
                    return;
                }
                if (e instanceof ChatEvent.Failed f) {
                    RequestLog.failed(id, startNanos, f.message());
                    return;
                }
            }
        } catch (IOException | UncheckedIOException | CloseConnectionException broken) {
            throw new RequestEvents.ClientGone();       // the client went away (or the connection broke)
        }
    }

    private void finished(String id, ChatEvent.Completed c, ResponseAssembler assembler, long startNanos) {
        metrics.tokens(c.usage(), System.nanoTime() - startNanos);
        RequestLog.finished(id, c.usage(), startNanos, List.of(assembler.finishReason()));
    }
}
