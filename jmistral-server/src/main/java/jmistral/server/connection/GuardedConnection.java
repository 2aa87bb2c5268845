package jmistral.server.connection;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One accepted HTTP/1.1 connection, served by Helidon's own {@code Http1Connection} over a reader whose every
 * socket read runs under the read timeout ({@link ReadDeadlines}). It also closes the connection after a
 * response that carries {@code Connection: close} (Helidon 4.5 sends the header but keeps reading the socket),
 * remembers which part of a request is being read (for the 400 bodies of {@link MalformedRequests}), logs one
 * line when it closes a connection for its timeout, and gives its slot back to the connection cap when done.
 */
final class GuardedConnection implements ServerConnection {
    private static final Logger LOG = Logger.getLogger(GuardedConnection.class.getName());
    /** The connection whose thread is running, for the direct handler of malformed requests. */
    private static final ScopedValue<GuardedConnection> CURRENT = ScopedValue.newInstance();

    /** What the connection is reading now. */
    enum Stage {
        REQUEST_LINE("the request line"), HEADERS("the request headers"), BODY("the request body");

        final String what;

        Stage(String what) {
            this.what = what;
        }
    }

    private final ConnectionContext socketContext;
    private final ReadDeadlines.Watch watch;
    private final Duration timeout;
    private final Runnable release;
    private final DataReader reader;
    private final ServerConnection http;
    private volatile Stage stage = Stage.REQUEST_LINE;
    private volatile boolean servedAnyRequest;
    /** Set when the server answered a request it could not parse: drain before closing. */
    private volatile boolean lingerBeforeClose;
    private volatile boolean lingering;

    GuardedConnection(ConnectionContext socketContext, ServerConnectionSelector http1, ReadDeadlines deadlines,
                      Runnable release) {
        this.socketContext = socketContext;
        this.release = release;
        this.timeout = deadlines.timeout();
        this.watch = deadlines.watch(this::closeForTimeout);
        this.reader = DataReader.create(this::readUnderDeadline);
        this.http = http1.connection(new Context());
    }

    /** The connection served on this thread, if any. */
    static Optional<GuardedConnection> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    Stage stage() {
        return stage;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        try {
            ScopedValue.where(CURRENT, this).call(() -> {
                http.handle(limit);
                return null;
            });
        } finally {
            if (lingerBeforeClose && !watch.expired()) {
                lingering = true;
                LingeringClose.drain(socketContext.serverSocket(), watch);
            }
            watch.forget();
            release.run();
        }
    }

    /** The request could not be parsed and is answered with an error: its unread rest is drained before closing. */
    void answeredMalformedRequest() {
        lingerBeforeClose = true;
    }

    @Override
    public Duration idleTime() {
        return http.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        http.close(interrupt);
    }

    void requestLineRead() {
        stage = Stage.HEADERS;
    }

    void headersRead() {
        stage = Stage.BODY;
    }

    void responseStarted(boolean closeAfter) {
        stage = Stage.REQUEST_LINE;
        servedAnyRequest = true;
        // Ends Helidon's request loop once this routed response is out. Not for an error answer from the direct
        // handler: Helidon ends the connection after it anyway, and its thread may still count as reading the
        // request line, which close(false) would interrupt in the middle of writing the answer.
        if (closeAfter && !lingerBeforeClose) http.close(false);
    }

    /**
     * The next bytes from the socket, under the read deadline. A read the sweeper cut ends the connection
     * quietly (CloseConnectionException: Helidon closes without a stack trace); a socket failure is
     * Helidon's ServerConnectionException (the client went away), logged by Helidon at TRACE only.
     */
    private byte[] readUnderDeadline() {
        // bytes Helidon already read to pick the protocol (none with one protocol, but never lose them)
        DataReader helidons = socketContext.dataReader();
        if (helidons.available() > 0) return helidons.readBytes(helidons.available());
        watch.readStarts();
        try {
            return socketContext.serverSocket().get();
        } catch (UncheckedIOException e) {
            if (watch.expired()) throw new CloseConnectionException("read timeout");
            throw new ServerConnectionException("client connection failed", e);
        } finally {
            watch.readEnds();
        }
    }

    private void closeForTimeout() {
        if (lingering) {
            closeSocket();
            return;
        }
        Stage waitingFor = stage;
        PeerInfo peer = socketContext.remotePeer();
        String line = "closed connection from " + peer.host() + ":" + peer.port() + ": no bytes for "
                + timeout.toMillis() / 1000.0 + " s while waiting for " + waitingFor.what;
        // a keep-alive connection that idles after its requests is routine; a request left half-sent is not
        boolean routine = waitingFor == Stage.REQUEST_LINE && servedAnyRequest;
        LOG.log(routine ? Level.FINE : Level.INFO, line);
        closeSocket();
    }

    private void closeSocket() {
        try {
            socketContext.serverSocket().close();
        } catch (RuntimeException e) {
            // already closed by the client
        }
    }

    /** Helidon's connection context with the deadline reader in place of its own; the rest is passed through. */
    final class Context implements ConnectionContext {
        GuardedConnection connection() {
            return GuardedConnection.this;
        }

        @Override
        public DataReader dataReader() {
            return reader;
        }

        @Override
        public DataWriter dataWriter() {
            return socketContext.dataWriter();
        }

        @Override
        public ListenerContext listenerContext() {
            return socketContext.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return socketContext.executor();
        }

        @Override
        public Router router() {
            return socketContext.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return socketContext.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return socketContext.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return socketContext.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return socketContext.localPeer();
        }

        @Override
        public boolean isSecure() {
            return socketContext.isSecure();
        }

        @Override
        public String socketId() {
            return socketContext.socketId();
        }

        @Override
        public String childSocketId() {
            return socketContext.childSocketId();
        }
    }
}
