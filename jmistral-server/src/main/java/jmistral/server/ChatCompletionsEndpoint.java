package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.MessagePaths;
import jmistral.chat.ToolCall;
import jmistral.chat.ToolChoice;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatEvent.*;
import jmistral.engine.ChatHandle;
import jmistral.engine.ChatResponse;
import jmistral.engine.ContextLengthException;
import jmistral.engine.EngineBusyException;
import jmistral.engine.FinishReason;
import jmistral.engine.InvalidRequestException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code POST /v1/chat/completions}. Runs on the request's virtual thread: parses the JSON into the chat
 * package's request, starts it on the engine, then only reads the engine's events from one queue and
 * writes JSON (no compute here). A client that goes away while streaming cancels its generation.
 */
final class ChatCompletionsEndpoint {
    private static final SecureRandom IDS = new SecureRandom();
    private static final int RETRY_AFTER_SECONDS = 2;

    private final ObjectMapper json;
    private final CompletionEngine engine;
    private final ServerMetrics metrics;

    ChatCompletionsEndpoint(ObjectMapper json, CompletionEngine engine, ServerMetrics metrics) {
        this.json = json;
        this.engine = engine;
        this.metrics = metrics;
    }

    void handle(ServerRequest req, ServerResponse res, byte[] body) {
        if (!engine.isReady()) throw ApiError.loading();
        ChatCompletionRequest params = new ChatRequestParser(json, engine.allowRemoteImages(), engine.canReadImages()).parse(body);
        ChatCompletionRequest.WithSystemPrompts chat = params.withSystemPrompts(engine.defaultSystemPrompt());
        long startNanos = System.nanoTime();
        RequestEvents events = new RequestEvents(ClientConnection.of(req));
        ChatHandle handle = start(engine, chat, events);
        String id = "chatcmpl-" + randomId(24);
        ChatResponses responses = new ChatResponses(json, id,
                System.currentTimeMillis() / 1000, params.model() == null ? engine.modelId() : params.model());
        metrics.requestStarted();
        try {
            if (params.stream()) stream(res, params, Dialect.of(req), events, responses, id, startNanos);
            else answer(res, params, events, responses, id, startNanos);
        } catch (RequestEvents.ClientGone gone) {
            clientLeft(res, params.stream(), handle, metrics, id, startNanos);
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
        } finally {
            metrics.requestFinished();
        }
    }

    /**
     * The client went away before its answer was complete (streaming or not): the request is cancelled,
     * which frees its batch place and KV blocks at the scheduler's next step, and counted. A stream just
     * ends; a blocking answer ends with nginx's 499 "client closed request" and {@code Connection: close},
     * which nobody reads but which closes the connection. (The Responses API ends here too.)
     */
    static void clientLeft(ServerResponse res, boolean streaming, ChatHandle handle, ServerMetrics metrics, String id,
                           long startNanos) {
        handle.cancel();
        metrics.cancelled();
        RequestLog.cancelled(id, startNanos);
        if (!streaming) {          // a stream's headers are out (or go with its closing); a blocking answer has none yet
            res.header(HeaderValues.CONNECTION_CLOSE);
            res.status(Status.create(499, "Client Closed Request"));
            try {
                res.send();
            } catch (RuntimeException ignored) {
                // the socket is gone: nothing to tell anyone
            }
        }
    }

    /**
     * Starts the request; the engine's refusals become OpenAI-shaped 4xx naming the client's fields.
     * (The Responses API starts its requests here too.)
     */
    static ChatHandle start(CompletionEngine engine, ChatCompletionRequest.WithSystemPrompts chat, Consumer<ChatEvent> listener) {
        try {
            return engine.start(chat.chat(), listener);
        } catch (ContextLengthException e) {
            throw ApiError.contextLengthExceeded(e.promptTokens(), e.maxTokens(), e.contextLimit());
        } catch (InvalidRequestException e) {
            throw ApiError.invalidRequest(clientPath(e.param(), chat.insertedMessages()), clientPath(e.getMessage(), chat.insertedMessages()));
        } catch (EngineBusyException e) {
            throw ApiError.overloaded(RETRY_AFTER_SECONDS);
        }
    }

    /** Error paths name the client's messages, not the system prompts the server put before them. */
    private static String clientPath(String text, int inserted) {
        return MessagePaths.shift(text, inserted);
    }

    /**
     * The text of a final assistant message with {@code prefix: true} (Mistral): the answer continues it,
     * and, as Mistral's API does, the returned content starts with it. Empty when there is none.
     */
    static String answerPrefix(ChatRequest chat) {
        return !chat.messages().isEmpty() && chat.messages().getLast() instanceof ChatMessage.Assistant a && a.prefix()
                && a.content() != null ? a.content() : "";
    }

    private void answer(ServerResponse res, ChatCompletionRequest params, RequestEvents events,
                        ChatResponses responses, String id, long startNanos) throws InterruptedException {
        ChatResponse.Collector answer = new ChatResponse.Collector();
        String prefix = answerPrefix(params.chat());
        if (!prefix.isEmpty()) {
            for (int i = 0; i < params.chat().options().n(); i++) answer.accept(new TextDelta(i, prefix, List.of()));
        }
        boolean first = true;
        while (true) {
            ChatEvent e = events.next();
            if (first && (e instanceof TextDelta || e instanceof ToolCallStart)) {
                metrics.firstToken(System.nanoTime() - startNanos);
                first = false;
            }
            if (e instanceof Failed f) {
                RequestLog.failed(id, startNanos, f.message());
                throw ApiError.internal(f.message());
            }
            if (answer.accept(e)) {
                ChatResponse r = answer.response();
                metrics.tokens(r.usage(), System.nanoTime() - startNanos);
                boolean named = namedToolChoice(params.chat());
                RequestLog.finished(id, r.usage(), startNanos,
                        r.choices().stream().map(c -> finishReason(c.finishReason(), named)).toList());
                ObjectNode body = responses.completion(r, namedToolChoice(params.chat()), params.chat().options().logprobs());
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(body.toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
    }

    /** A tool call held back until its choice ends (Mistral's clients get each call whole). */
    private record PendingCall(String id, String name, StringBuilder arguments) {}

    /** Writes the answer as server-sent events; a write that fails (the client left) is {@link RequestEvents.ClientGone}. */
    private void stream(ServerResponse res, ChatCompletionRequest params, Dialect dialect, RequestEvents events,
                        ChatResponses responses, String id, long startNanos)
            throws InterruptedException {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        boolean mistral = dialect == Dialect.MISTRAL;
        boolean usageNull = params.includeUsage() && !mistral;
        boolean named = namedToolChoice(params.chat());
        String prefix = answerPrefix(params.chat());
        Set<Integer> started = new HashSet<>();
        // Mistral: each choice's tool calls, sent whole when the choice ends; the last finish chunk waits
        // for the usage it carries
        Map<Integer, List<PendingCall>> wholeCalls = new HashMap<>();
        ObjectNode lastFinish = null;
        List<String> finishReasons = new ArrayList<>();
        boolean first = true;
        try (OutputStream out = res.outputStream()) {
            while (true) {
                ChatEvent e = events.next();
                if (first && (e instanceof TextDelta || e instanceof ToolCallStart)) {
                    metrics.firstToken(System.nanoTime() - startNanos);
                    first = false;
                }
                int choice = switch (e) {
                    case TextDelta d -> d.choice();
                    case ToolCallStart s -> s.choice();
                    case ToolCallArguments a -> a.choice();
                    case ChoiceFinished f -> f.choice();
                    default -> -1;
                };
                if (choice >= 0 && started.add(choice)) {
                    // The role is sent once per choice: SDKs concatenate repeated strings.
                    ObjectNode delta = responses.delta();
                    delta.put("role", "assistant");
                    delta.put("content", prefix);
                    send(out, responses.choiceChunk(choice, delta, null, null, usageNull));
                }
                switch (e) {
                    case TextDelta d -> {
                        if (d.text().isEmpty() && d.logprobs().isEmpty()) continue;
                        ObjectNode delta = responses.delta();
                        delta.put("content", d.text());
                        send(out, responses.choiceChunk(d.choice(), delta, null, d.logprobs(), usageNull));
                    }
                    case ToolCallStart s when mistral ->
                            wholeCalls.computeIfAbsent(s.choice(), k -> new ArrayList<>()).add(new PendingCall(s.id(), s.name(), new StringBuilder()));
                    case ToolCallArguments a when mistral -> wholeCalls.get(a.choice()).get(a.index()).arguments().append(a.fragment());
                    case ToolCallStart s -> {
                        ObjectNode delta = responses.delta();
                        ObjectNode call = delta.putArray("tool_calls").addObject();
                        call.put("index", s.index());
                        call.put("id", s.id());
                        call.put("type", "function");
                        ObjectNode fn = call.putObject("function");
                        fn.put("name", s.name());
                        fn.put("arguments", "");
                        send(out, responses.choiceChunk(s.choice(), delta, null, null, usageNull));
                    }
                    case ToolCallArguments a -> {
                        ObjectNode delta = responses.delta();
                        ObjectNode call = delta.putArray("tool_calls").addObject();
                        call.put("index", a.index());
                        call.putObject("function").put("arguments", a.fragment());
                        send(out, responses.choiceChunk(a.choice(), delta, null, null, usageNull));
                    }
                    case ChoiceFinished f when mistral -> {
                        List<PendingCall> calls = wholeCalls.remove(f.choice());
                        if (calls != null) {
                            send(out, responses.choiceChunk(f.choice(), responses.wholeToolCalls(calls.stream()
                                    .map(c -> new ToolCall(c.id(), c.name(), c.arguments().toString())).toList()), null, null, false));
                        }
                        if (lastFinish != null) send(out, lastFinish);
                        String reason = finishReason(f.reason(), named);
                        lastFinish = responses.choiceChunk(f.choice(), responses.delta(), reason, null, false);
                        finishReasons.add(reason);
                    }
                    case ChoiceFinished f -> {
                        String reason = finishReason(f.reason(), named);
                        send(out, responses.choiceChunk(f.choice(), responses.delta(), reason, null, usageNull));
                        finishReasons.add(reason);
                    }
                    case Completed c -> {
                        metrics.tokens(c.usage(), System.nanoTime() - startNanos);
                        RequestLog.finished(id, c.usage(), startNanos, finishReasons);
                        if (mistral && lastFinish != null) {
                            lastFinish.set("usage", responses.usage(c.usage()));
                            send(out, lastFinish);
                        } else if (params.includeUsage()) {
                            send(out, responses.usageChunk(c.usage()));
                        }
                        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                    case Failed f -> {
                        RequestLog.failed(id, startNanos, f.message());
                        // Mid-stream errors go as a data event with an "error" object (the SDKs raise it).
                        out.write(("data: " + ErrorBodies.body(json, ApiError.internal(f.message())) + "\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                }
            }
        } catch (IOException | UncheckedIOException | CloseConnectionException broken) {
            throw new RequestEvents.ClientGone();       // the client went away (or the connection broke)
        }
    }

    /** A named tool_choice forces the call, so OpenAI reports "stop" rather than "tool_calls". */
    private static boolean namedToolChoice(ChatRequest chat) {
        return !chat.tools().isEmpty() && chat.options().toolChoiceFor(true).mode() == ToolChoice.Mode.NAMED;
    }

    /**
     * OpenAI's finish_reason: "tool_calls" when the answer holds calls (but "stop" for a named
     * tool_choice, as OpenAI does), "stop", "length" for max_tokens or a full context and for the loop
     * guard as well (the answer was cut off, and "length" tells clients and the SDKs' parse helpers that the
     * text is incomplete).
     */
    static String finishReason(FinishReason r, boolean namedToolChoice) {
        return switch (r) {
            case TOOL_CALLS -> namedToolChoice ? "stop" : "tool_calls";
            case STOP, CANCELLED -> "stop";
            case LENGTH, LOOP -> "length";
            case ERROR -> "error";
        };
    }

    private static void send(OutputStream out, ObjectNode chunk) throws IOException {
        out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A random alphanumeric id (a completion's id). */
    static String randomId(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(alphabet.charAt(IDS.nextInt(alphabet.length())));
        return sb.toString();
    }
}
