package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jmistral.server.ChatResponses.ChoiceAccumulator;
import jmistral.server.CompletionEvent.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code POST /v1/chat/completions}. Runs on the request's virtual thread: parses, starts the
 * completion, then only reads events from a queue and writes JSON (no compute here). A client that
 * goes away while streaming cancels its generation.
 */
final class ChatCompletionsEndpoint {
    private static final SecureRandom IDS = new SecureRandom();

    private final ObjectMapper json;
    private final ChatRequestParser parser;
    private final CompletionEngine engine;
    private final ServerMetrics metrics;

    ChatCompletionsEndpoint(ObjectMapper json, CompletionEngine engine, ServerMetrics metrics) {
        this.json = json;
        this.parser = new ChatRequestParser(json);
        this.engine = engine;
        this.metrics = metrics;
    }

    void handle(ServerRequest req, ServerResponse res, byte[] body) {
        if (!engine.isReady()) throw ApiError.loading();
        ChatCompletionParams params = parser.parse(body);
        long startNanos = System.nanoTime();
        BlockingQueue<CompletionEvent> events = new LinkedBlockingQueue<>();
        CompletionEngine.CompletionHandle handle = engine.start(params, events::add);
        ChatResponses responses = new ChatResponses(json, "chatcmpl-" + randomId(24),
                System.currentTimeMillis() / 1000, params.model() == null ? engine.modelId() : params.model());
        metrics.requestStarted();
        try {
            if (params.stream()) stream(res, params, events, responses, handle, startNanos);
            else answer(res, params, events, responses, startNanos);
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
        } finally {
            metrics.requestFinished();
        }
    }

    private void answer(ServerResponse res, ChatCompletionParams params, BlockingQueue<CompletionEvent> events,
                        ChatResponses responses, long startNanos) throws InterruptedException {
        List<ChoiceAccumulator> choices = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) choices.add(new ChoiceAccumulator(i));
        boolean first = true;
        while (true) {
            CompletionEvent e = events.take();
            if (first && (e instanceof TextDelta || e instanceof ToolCallStart)) {
                metrics.firstToken(System.nanoTime() - startNanos);
                first = false;
            }
            switch (e) {
                case TextDelta d -> {
                    choices.get(d.choice()).text.append(d.text());
                    choices.get(d.choice()).logprobs.addAll(d.logprobs());
                }
                case ToolCallStart s -> choices.get(s.choice()).toolCalls.add(new ChoiceAccumulator.Call(s.id(), s.name()));
                case ToolCallArguments a -> choices.get(a.choice()).toolCalls.get(a.index()).arguments.append(a.fragment());
                case ChoiceFinished f -> choices.get(f.choice()).finishReason = f.finishReason();
                case Completed c -> {
                    metrics.tokens(c.usage(), System.nanoTime() - startNanos);
                    ObjectNode body = responses.completion(choices, c.usage(), params.logprobs());
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(body.toString().getBytes(StandardCharsets.UTF_8));
                    return;
                }
                case Failed f -> throw f.error();
            }
        }
    }

    private void stream(ServerResponse res, ChatCompletionParams params, BlockingQueue<CompletionEvent> events,
                        ChatResponses responses, CompletionEngine.CompletionHandle handle, long startNanos)
            throws InterruptedException {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        boolean usageNull = params.includeUsage();
        Set<Integer> started = new HashSet<>();
        boolean first = true;
        try (OutputStream out = res.outputStream()) {
            while (true) {
                CompletionEvent e = events.take();
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
                    delta.put("content", "");
                    send(out, responses.choiceChunk(choice, delta, null, null, usageNull));
                }
                switch (e) {
                    case TextDelta d -> {
                        if (d.text().isEmpty() && d.logprobs().isEmpty()) continue;
                        ObjectNode delta = responses.delta();
                        delta.put("content", d.text());
                        send(out, responses.choiceChunk(d.choice(), delta, null, d.logprobs(), usageNull));
                    }
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
                    case ChoiceFinished f -> send(out, responses.choiceChunk(f.choice(), responses.delta(), f.finishReason(), null, usageNull));
                    case Completed c -> {
                        metrics.tokens(c.usage(), System.nanoTime() - startNanos);
                        if (params.includeUsage()) send(out, responses.usageChunk(c.usage()));
                        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                    case Failed f -> {
                        // Mid-stream errors go as a data event with an "error" object (the SDKs raise it).
                        out.write(("data: " + ErrorBodies.body(json, f.error()) + "\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException ioe) {
            // The client went away (or the connection broke): stop generating at once.
            handle.cancel();
            metrics.cancelled();
        }
    }

    private static void send(OutputStream out, ObjectNode chunk) throws IOException {
        out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A random alphanumeric id (tool-call ids are 9 characters, as mistral-common requires). */
    static String randomId(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(alphabet.charAt(IDS.nextInt(alphabet.length())));
        return sb.toString();
    }
}
