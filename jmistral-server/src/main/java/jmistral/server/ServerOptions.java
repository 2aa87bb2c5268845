package jmistral.server;

import java.time.Duration;

/**
 * How to run the server.
 *
 * @param host           interface to bind (127.0.0.1 by default: never another one unless asked)
 * @param port           TCP port (0 = any free port)
 * @param apiKey         required bearer key, or null for none
 * @param maxBodyBytes   largest accepted request body (413 above)
 * @param readTimeout    longest wait for the next bytes of a request (headers or body) and for an idle
 *                       keep-alive connection's next request; the connection is closed after it
 * @param maxConnections open connections accepted at once; beyond it new ones are closed at once
 */
public record ServerOptions(String host, int port, String apiKey, long maxBodyBytes, Duration readTimeout,
                            int maxConnections) {
    public static final long DEFAULT_MAX_BODY = 64L << 20;
    /** An idle keep-alive connection is closed after this; Helidon 4.5 does not apply it to a connection that never sends a request or stops mid-request. */
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
