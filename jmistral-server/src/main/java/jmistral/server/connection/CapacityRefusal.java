package jmistral.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import jmistral.server.ApiError;
import jmistral.server.ErrorBodies;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * A connection past the cap on open connections: answered at once with {@code 503} (Retry-After: 1,
 * Connection: close, an OpenAI-shaped error body) and closed, instead of waiting unanswered in the kernel's
 * backlog. A 503 rather than a bare close because HTTP clients and the OpenAI/Mistral SDKs read it as "busy,
 * retry later" and back off, where a silent close looks like a network fault; it costs one small write.
 */
final class CapacityRefusal implements ServerConnection {
    private static final Logger LOG = Logger.getLogger(CapacityRefusal.class.getName());

    private final ConnectionContext ctx;
    private final int cap;
    private final ReadDeadlines.Watch watch;

    CapacityRefusal(ConnectionContext ctx, int cap, ReadDeadlines deadlines) {
        this.ctx = ctx;
        this.cap = cap;
        this.watch = deadlines.watch(() -> ctx.serverSocket().close());
    }

    static ApiError error(int cap) {
        return new ApiError(503, "unavailable_error", "too_many_connections", null,
                "The server has " + cap + " open connections, its limit; retry after 1 s.", 1);
    }

    @Override
    public void handle(Limit limit) {
        byte[] body = ErrorBodies.body(error(cap)).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: application/json\r\n"
                + "Retry-After: 1\r\n"
                + "Connection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        BufferData response = BufferData.growing(head.length() + body.length);
        response.write(head.getBytes(StandardCharsets.US_ASCII));
        response.write(body);
        try {
            ctx.dataWriter().writeNow(response);
        } catch (RuntimeException e) {
            // the client is already gone
        }
        LOG.fine(() -> "refused a connection from " + ctx.remotePeer().host() + ": " + cap + " open connections");
        // the request is never read: drain it so the close does not reset the answer away
        LingeringClose.drain(ctx.serverSocket(), watch);
        watch.forget();
        // returning ends the connection: Helidon closes the socket
    }

    @Override
    public Duration idleTime() {
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        // answered and closed on its own thread right away
    }
}
