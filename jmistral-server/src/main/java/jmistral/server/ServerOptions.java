package jmistral.server;

import java.time.Duration;

/**
 * How to run the server.
 *
 * @param host           interface to bind (127.0.0.1 by default: never another one unless asked)
 * @param port           TCP port (0 = any free port)
 * @param apiKey         required bearer key, or null for none
 * @param maxBodyBytes   largest accepted request body (413 above)
 * @param readTimeout    longest wait for the next bytes from a client: of a request line, headers or body, of a
 *                       connection's first request or of an idle keep-alive connection's next one; the connection
 *                       is closed after it (one log line when a request was left half-sent)
 * @param maxConnections open connections served at once; beyond it a new connection is answered 503
 *                       (Retry-After: 1, Connection: close) and closed at once
 */
public record ServerOptions(String host, int port, String apiKey, long maxBodyBytes, Duration readTimeout,
                            int maxConnections) {
    public static final long DEFAULT_MAX_BODY = 64L << 20;
    /** Well under the 30 s the issue asks for; a real client sends a whole request within milliseconds. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Room for many clients while staying well under a typical descriptor limit (ulimit -n 20000 here; the
     * model files and the JVM need some too).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;

    public ServerOptions(String host, int port, String apiKey, long maxBodyBytes) {
        this(host, port, apiKey, maxBodyBytes, DEFAULT_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, key, maxBodyBytes, readTimeout, maxConnections);
    }

    public ServerOptions withConnectionLimits(Duration readTimeout, int maxConnections) {
        return new ServerOptions(host, port, apiKey, maxBodyBytes, readTimeout, maxConnections);
    }

    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, null, DEFAULT_MAX_BODY);
    }
}
