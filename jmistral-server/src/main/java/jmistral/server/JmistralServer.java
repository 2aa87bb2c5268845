package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.http.RequestException;
import jmistral.server.connection.ConnectionGuard;
import jmistral.server.connection.Descriptors;
import jmistral.server.connection.ListenerWatchdog;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.helidon.webserver.http1.Http1Config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenAI- and Mistral-compatible HTTP API (Helidon SE, one virtual thread per request):
 * {@code POST /v1/chat/completions}, {@code POST /v1/responses}, {@code GET /v1/models[/{id}]}, {@code GET /health},
 * {@code GET /metrics}. Requests only enqueue work and read events; the engine computes.
 */
public final class JmistralServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JmistralServer.class.getName());

    /** Longest request line (method, path, version). */
    static final int MAX_REQUEST_LINE = 8192;
    /** Largest header block. */
    static final int MAX_HEADER_BYTES = 32768;
    /** Error code of a request whose HTTP framing could not be parsed (as the connection level answers it). */
    static final String MALFORMED_HTTP = "malformed_http_request";
    /** How often the listener is checked (and reopened when it stopped accepting). */
    static final java.time.Duration LISTENER_CHECK_PERIOD = java.time.Duration.ofSeconds(1);

    private final ObjectMapper json = RequestJson.mapper();
    private final ServerOptions options;
    private final CompletionEngine engine;
    private final ServerMetrics metrics;
    private final ChatCompletionsEndpoint chat;
    private final ResponsesEndpoint responses;
    private final long startedAt = System.currentTimeMillis() / 1000;
    private volatile WebServer server;
    private ConnectionGuard connections;
    private ListenerWatchdog watchdog;

    public JmistralServer(ServerOptions options, CompletionEngine engine) {
        this.options = options;
        this.engine = engine;
        this.metrics = new ServerMetrics(engine);
        this.chat = new ChatCompletionsEndpoint(json, engine, metrics);
        this.responses = new ResponsesEndpoint(json, engine, metrics);
    }

    /** Starts listening; returns this server (see {@link #port()}). */
    public JmistralServer start() {
        connections = new ConnectionGuard(Http1Config.builder().maxPrologueLength(MAX_REQUEST_LINE).maxHeadersSize(MAX_HEADER_BYTES).build(),
                options.readTimeout(), options.maxConnections());
        server = openListener(options.port());
        watchdog = new ListenerWatchdog(options.host(), this::port, LISTENER_CHECK_PERIOD, this::reopenListener);
        return this;
    }

    private WebServer openListener(int port) {
        WebServerConfig.Builder config = WebServer.builder()
                .host(options.host())
                .port(port)
                // blocking sockets: a read the read deadline cuts (by closing the socket) ends at once
                .useNio(false)
                .routing(this::routes);
        return connections.applyTo(config).build().start();
    }

    /** The watchdog found the listener gone (Helidon gives up on an accept failure): a new one on the same port. */
    private synchronized void reopenListener(int port) {
        String exhausted = Descriptors.exhaustion();
        if (exhausted != null) throw new IllegalStateException(exhausted);
        server.stop();
        WebServer reopened = openListener(port);
        if (!reopened.isRunning()) throw new IllegalStateException("the listener could not be opened on port " + port);
        server = reopened;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (watchdog != null) watchdog.close();
        if (server != null) server.stop();
        if (connections != null) connections.close();
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/health", (req, res) -> guarded(req, res, false, () -> health(res)))
                .get("/metrics", (req, res) -> guarded(req, res, false, () -> text(res, metrics.scrape())))
                .get("/v1/models", (req, res) -> guarded(req, res, true, () -> sendJson(res, modelList())))
                .get("/v1/models/{id}", (req, res) -> guarded(req, res, true, () -> model(req, res)))
                .post("/v1/chat/completions", (req, res) -> guarded(req, res, true, () -> chat.handle(req, res, body(req))))
                .post("/v1/responses", (req, res) -> guarded(req, res, true, () -> responses.handle(req, res, body(req))))
                .any((req, res) -> guarded(req, res, false, () -> {
                    throw ApiError.notFound("Unknown endpoint " + req.prologue().method().text() + " " + req.path().path());
                }));
    }

    /** Runs a handler with the API-key check and turns every failure into an OpenAI-shaped error. */
    private void guarded(ServerRequest req, ServerResponse res, boolean needsKey, Runnable handler) {
        // A client's "Connection: close" is answered in kind, which makes Helidon close the socket after the
        // response (it kept it open until the idle sweep otherwise).
        if (req.headers().contains(HeaderValues.CONNECTION_CLOSE)) res.header(HeaderValues.CONNECTION_CLOSE);
        try {
            if (needsKey && options.apiKey() != null && !keyMatches(req)) throw ApiError.unauthorized();
            handler.run();
        } catch (ApiError e) {
            sendError(res, e);
        } catch (CloseConnectionException gone) {
            throw gone; // the client went away or timed out mid-request: nothing to answer, Helidon closes
        } catch (RuntimeException e) {
            // The client learns only that it failed and which id to quote; the class and message stay in the log.
            String id = Long.toHexString(System.nanoTime());
            LOG.log(Level.WARNING, "request " + id + " failed", e);
            sendError(res, ApiError.internal("Internal server error (id " + id + "); the server log has the details."));
        }
    }

    private boolean keyMatches(ServerRequest req) {
        Optional<String> auth = req.headers().first(HeaderNames.AUTHORIZATION);
        String given = auth.filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7)).map(a -> a.substring(7).trim()).orElse("");
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), options.apiKey().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] body(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > options.maxBodyBytes()) throw ApiError.tooLarge(options.maxBodyBytes());
        try (InputStream in = req.content().inputStream()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
            if (data.length > options.maxBodyBytes()) throw ApiError.tooLarge(options.maxBodyBytes());
            return data;
        } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
            // the client closed or reset the connection mid-body, or the read timeout cut it: nothing to answer
            throw new CloseConnectionException("request body could not be read", e);
        } catch (RequestException | NumberFormatException | DataReader.IncorrectNewLineException e) {
            // Helidon's chunked-body parser: a chunk size that is not hex, a missing CRLF, a bad terminator
            throw new ApiError(400, "invalid_request_error", MALFORMED_HTTP, "body", "Malformed chunked request body: each"
                    + " chunk is a hex size, CRLF, the bytes, CRLF, and the body ends with a 0-size chunk.", 0);
        }
    }

    private void health(ServerResponse res) {
        String cannotAccept = watchdog.problem();
        if (cannotAccept != null) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
            res.header(HeaderNames.RETRY_AFTER, "1");
            sendJson(res, json.createObjectNode().put("status", "not_accepting").put("reason", cannotAccept));
            return;
        }
        if (!engine.isReady()) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
            res.header(HeaderNames.RETRY_AFTER, "5");
            sendJson(res, json.createObjectNode().put("status", "loading"));
        } else {
            sendJson(res, json.createObjectNode().put("status", "ok"));
        }
    }

    private ObjectNode modelList() {
        ObjectNode list = json.createObjectNode();
        list.put("object", "list");
        list.putArray("data").add(modelObject());
        return list;
    }

    private void model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!id.equals(engine.modelId())) throw ApiError.notFound("The model '" + id + "' does not exist. This server serves '" + engine.modelId() + "'.");
        sendJson(res, modelObject());
    }

    /**
     * OpenAI's model object (id, object, created, owned_by) with the fields Mistral's SDKs read: {@code type}
     * ("base": without it their discriminated union parses the entry as unknown), {@code capabilities},
     * {@code max_context_length}.
     */
    private ObjectNode modelObject() {
        ObjectNode m = json.createObjectNode();
        m.put("id", engine.modelId());
        m.put("object", "model");
        m.put("created", startedAt);
        m.put("owned_by", "jmistral");
        m.put("type", "base");
        m.put("name", engine.modelId());
        m.put("description", "Mistral Small 3.2 24B Instruct (2506) served by jmistral");
        if (engine.contextLength() > 0) m.put("max_context_length", engine.contextLength());
        m.putArray("aliases");
        m.put("default_model_temperature", 0.15);
        ObjectNode c = m.putObject("capabilities");
        c.put("completion_chat", true);
        c.put("function_calling", true);
        c.put("vision", engine.canReadImages());
        c.put("completion_fim", false);
        c.put("fine_tuning", false);
        c.put("classification", false);
        c.put("ocr", false);
        c.put("reasoning", false);
        return m;
    }

    private void sendError(ServerResponse res, ApiError e) {
        metrics.error();
        if (res.isSent()) return;
        res.status(Status.create(e.status));
        // the request's framing is lost: the next bytes cannot be read as a request
        if (MALFORMED_HTTP.equals(e.code)) res.header(HeaderValues.CONNECTION_CLOSE);
        if (e.retryAfterSeconds > 0) res.header(HeaderNames.RETRY_AFTER, Integer.toString(e.retryAfterSeconds));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(ErrorBodies.body(json, e).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendJson(ServerResponse res, ObjectNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void text(ServerResponse res, String body) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }
}
