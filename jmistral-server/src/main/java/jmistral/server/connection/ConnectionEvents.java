package jmistral.server.connection;

import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Helidon's HTTP/1 events, passed to the {@link GuardedConnection} they happened on: which part of a request
 * has been read, and when a response starts (and whether it says {@code Connection: close}).
 */
final class ConnectionEvents {
    private ConnectionEvents() {}

    /** Events of the request being read. */
    static Http1ConnectionListener received() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                if (ctx instanceof GuardedConnection.Context c) c.connection().requestLineRead();
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (ctx instanceof GuardedConnection.Context c) c.connection().headersRead();
            }
        };
    }

    /** Events of the response being sent. */
    static Http1ConnectionListener sent() {
        return new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (ctx instanceof GuardedConnection.Context c) {
                    c.connection().responseStarted(headers.containsToken(HeaderValues.CONNECTION_CLOSE));
                }
            }
        };
    }
}
