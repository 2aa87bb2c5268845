package jmistral.server;

/**
 * How to run the server.
 *
 * @param host           interface to bind (127.0.0.1 by default: never another one unless asked)
 * @param port           TCP port (0 = any free port)
 * @param apiKey         required bearer key, or null for none
 * @param maxBodyBytes   largest accepted request body (413 above)
 */
public record ServerOptions(String host, int port, String apiKey, long maxBodyBytes) {
    public static final long DEFAULT_MAX_BODY = 64L << 20;

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, key, maxBodyBytes);
    }

    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, null, DEFAULT_MAX_BODY);
    }
}
