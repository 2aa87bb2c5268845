package jmistral.server;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;

import java.lang.reflect.Field;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.logging.Logger;

/**
 * The TCP connection a request came on, checked for the client having gone away while its answer is
 * being generated. Helidon 4.5 tells a handler nothing about it: a stream learns it when a write fails
 * (only the second write after the client left fails, and nothing is written while a request waits for
 * a batch place or its prompt is computed), and a blocking answer writes nothing until the end. (Its
 * {@code HelidonSocket.idle()} / {@code isConnected()} pair is made for the client's connection pool: the
 * watching thread gives up after the socket's read timeout and the connection then reads as closed.)
 *
 * <p>A check reads the socket for at most a millisecond, on the request's own thread (which owns the
 * connection while the handler runs: nobody else reads it then). End of stream or a reset means the
 * client left. Bytes that do arrive (a pipelined next request) go into Helidon's own read buffer for the
 * connection, where Helidon reads its next request from, so nothing is lost; the connection then counts
 * as alive from there on (a client that sends is there).
 *
 * <p>Helidon keeps the connection and its socket in private fields, found here by their types (the
 * connection is the one the connection level, {@code jmistral.server.connection}, hands to Helidon, so the
 * bytes read here count against its read deadline like any other read). Where they
 * are not found (another Helidon version, NIO sockets, modules closed to reflection) {@link #isGone()} is
 * always false and a disconnect is noticed only when a write fails, as before; one log line says so.
 */
final class ClientConnection {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    /** The shortest read timeout a socket takes: the check waits this long when the client is there. */
    private static final int CHECK_TIMEOUT_MILLIS = 1;
    private static volatile boolean unwatchableLogged;

    /** For requests whose connection cannot be watched. */
    private static final ClientConnection UNWATCHED = new ClientConnection(null, null);

    private final DataReader reader;          // Helidon's buffer for the bytes the connection receives
    private final Socket socket;
    private boolean gone;
    private boolean spoke;                   // the client sent bytes after its request: it is there

    private ClientConnection(DataReader reader, Socket socket) {
        this.reader = reader;
        this.socket = socket;
    }

    /** The connection of req (a connection that is never seen as gone when it cannot be watched). */
    static ClientConnection of(ServerRequest req) {
        try {
            ConnectionContext ctx = fieldOfType(req, ConnectionContext.class);
            HelidonSocket helidonSocket = ctx == null ? null : ctx.serverSocket();
            Socket socket = helidonSocket == null ? null : fieldOfType(helidonSocket, Socket.class);
            if (socket != null) return new ClientConnection(ctx.dataReader(), socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall through: unwatched
        }
        if (!unwatchableLogged) {
            unwatchableLogged = true;
            LOG.info("client connections cannot be watched here (" + req.getClass().getName()
                    + "): a client that leaves cancels its request only when a write to it fails");
        }
        return UNWATCHED;
    }

    /**
     * Whether the client closed or reset the connection. Takes at most about a millisecond; call it from
     * the request's thread only, while the handler runs.
     */
    boolean isGone() {
        if (socket == null || gone || spoke) return gone;
        int timeout;
        try {
            timeout = socket.getSoTimeout();
        } catch (SocketException e) {
            return gone = true;                          // closed
        }
        try {
            socket.setSoTimeout(CHECK_TIMEOUT_MILLIS);
            reader.pullData();                           // returns only when bytes came: kept for Helidon
            spoke = true;
        } catch (SocketException e) {
            gone = true;                                 // closed
        } catch (DataReader.InsufficientDataAvailableException e) {
            gone = true;                                 // end of stream: the client closed
        } catch (RuntimeException e) {
            gone = !timedOut(e);                         // a timeout: nothing came, still open; else reset
        } finally {
            try {
                if (!socket.isClosed()) socket.setSoTimeout(timeout);
            } catch (SocketException ignored) {
                gone = true;
            }
        }
        return gone;
    }

    /** Whether e is (or wraps, as Helidon does twice) a read timeout. */
    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof SocketTimeoutException) return true;
        return false;
    }

    /** The first field of o (or its superclasses) holding a T, or null. */
    private static <T> T fieldOfType(Object o, Class<T> type) throws IllegalAccessException {
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || !type.isAssignableFrom(f.getType())) continue;
                f.setAccessible(true);
                Object v = f.get(o);
                if (v != null) return type.cast(v);
            }
        }
        return null;
    }
}
