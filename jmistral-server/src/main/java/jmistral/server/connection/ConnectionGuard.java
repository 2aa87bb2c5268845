package jmistral.server.connection;

import io.helidon.http.DirectHandler.EventType;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * The HTTP connection level of the server: the listener's only protocol selector (HTTP/1.1), which serves each
 * accepted connection as a {@link GuardedConnection} (read timeout, {@code Connection: close} honoured) while
 * fewer than {@code maxConnections} are open, and answers the ones past it with a {@link CapacityRefusal}.
 * <p>
 * Why a selector and not Helidon's {@code maxTcpConnections}: Helidon takes a permit <em>before</em> accepting,
 * so at its limit new connections sit unanswered in the kernel's backlog until the client gives up. Here they
 * are accepted and refused at once; Helidon's limit stays as a backstop a little above ours (room for the
 * refusals in flight), so the listener never accepts more sockets than that.
 */
public final class ConnectionGuard implements ServerConnectionSelector, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());
    private final Http1Config http1Config;
    private final ServerConnectionSelector http1;
    private final ReadDeadlines deadlines;
    private final int maxConnections;
    private final Semaphore slots;

    public ConnectionGuard(Http1Config http1Config, Duration readTimeout, int maxConnections) {
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        this.http1Config = http1Config;
        // never more sockets than descriptors: at EMFILE Helidon's listener stops accepting for good
        this.maxConnections = Descriptors.capThatFits(maxConnections, ConnectionGuard::ceiling);
        if (this.maxConnections < maxConnections) {
            LOG.warning("--max-connections " + maxConnections + " lowered to " + this.maxConnections + ": the process may open "
                    + Descriptors.limit() + " files (ulimit -n) and has " + Descriptors.open() + " open");
        }
        this.slots = new Semaphore(this.maxConnections);
        // Our listeners replace Helidon's (its TRACE-level wire loggers): Helidon 4.5 combines two or more
        // listeners into one that forwards no event, so each direction must have exactly one.
        Http1Config withEvents = Http1Config.builder().from(http1Config)
                .receiveListeners(List.of(ConnectionEvents.received()))
                .sendListeners(List.of(ConnectionEvents.sent()))
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(withEvents).build();
        this.deadlines = new ReadDeadlines(readTimeout);
    }

    /** Sockets Helidon may hold at once: the cap plus room for connections being refused. */
    public int acceptCeiling() {
        return ceiling(maxConnections);
    }

    private static int ceiling(int cap) {
        return cap + Math.max(64, cap / 4);
    }

    /** Connections served now (not counting the ones being refused). */
    public int openConnections() {
        return maxConnections - slots.availablePermits();
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Makes this the listener's connection level: protocol, caps, timeouts, answers to malformed requests. */
    public WebServerConfig.Builder applyTo(WebServerConfig.Builder server) {
        MalformedRequests malformed = new MalformedRequests(http1Config.maxPrologueLength(), http1Config.maxHeadersSize());
        server.protocolsDiscoverServices(false)
                .addConnectionSelector(this)
                .maxTcpConnections(acceptCeiling())
                // Helidon's idle sweep is off (a day): it would end a keep-alive connection after any request
                // longer than the timeout; the read deadlines cover idle connections instead.
                .idleConnectionTimeout(Duration.ofDays(1))
                .idleConnectionPeriod(Duration.ofHours(1))
                .directHandlers(d -> {
                    for (EventType type : EventType.values()) d.addHandler(type, malformed);
                });
        return server;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(io.helidon.common.buffers.BufferData data) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        if (!slots.tryAcquire()) return new CapacityRefusal(ctx, maxConnections, deadlines);
        try {
            return new GuardedConnection(ctx, http1, deadlines, slots::release);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    @Override
    public void close() {
        deadlines.close();
    }
}
