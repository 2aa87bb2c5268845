package jmistral.server.connection;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import jmistral.server.ApiError;
import jmistral.server.ErrorBodies;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Helidon's answer to a request it could not parse (request line, headers, framing, chunked body): an
 * OpenAI-shaped JSON error naming the part that was wrong, with the limits that apply, in place of Helidon's
 * empty or plain-text body. Helidon's own message is left out: it can echo the client's bytes.
 * A failure before any request line was parsed (Helidon reports some garbage request lines as an internal
 * error) is the client's malformed request line: a 400, not a 500.
 */
final class MalformedRequests implements DirectHandler {
    private final int maxRequestLine;
    private final int maxHeaderBytes;

    MalformedRequests(int maxRequestLine, int maxHeaderBytes) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders headers, String message) {
        Optional<GuardedConnection> connection = GuardedConnection.current();
        connection.ifPresent(GuardedConnection::answeredMalformedRequest);
        GuardedConnection.Stage stage = connection.map(GuardedConnection::stage).orElse(GuardedConnection.Stage.REQUEST_LINE);
        ApiError error = error(request, defaultStatus, stage);
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        if (error.retryAfterSeconds > 0) headers.set(HeaderNames.RETRY_AFTER, Integer.toString(error.retryAfterSeconds));
        return TransportResponse.builder()
                .status(Status.create(error.status))
                .headers(headers)
                .keepAlive(false)
                .entity(ErrorBodies.body(error).getBytes(StandardCharsets.UTF_8))
                .build();
    }

    ApiError error(TransportRequest request, Status status, GuardedConnection.Stage stage) {
        int code = status.code();
        if (code == 414) {
            return malformed(414, "request_line", "The request line is longer than " + maxRequestLine + " bytes.");
        }
        if (code == 505) return malformed(505, "request_line", "Only HTTP/1.1 is served.");
        if (code == 501) {
            return malformed(501, "headers", "Unsupported Transfer-Encoding: only 'chunked' alone is accepted.");
        }
        if (code == 413) return malformed(413, "body", "The request body is larger than the limit.");
        if (code == 503) {
            return new ApiError(503, "unavailable_error", "overloaded", null, "The server is busy; retry after 1 s.", 1);
        }
        boolean requestLineFailed = stage == GuardedConnection.Stage.REQUEST_LINE && request.method().isEmpty();
        if (code >= 500 && !requestLineFailed) {
            return ApiError.internal("Internal server error while reading the request.");
        }
        return switch (stage) {
            case REQUEST_LINE -> malformed(400, "request_line",
                    "Malformed HTTP request line: expected 'METHOD /path HTTP/1.1' (ASCII, single spaces, at most "
                            + maxRequestLine + " bytes, ending in CRLF).");
            case HEADERS -> malformed(400, "headers",
                    "Malformed HTTP request headers: each line must be 'Name: value' ending in CRLF, one Host header,"
                            + " at most " + maxHeaderBytes + " bytes in all.");
            case BODY -> malformed(400, "body",
                    "Malformed HTTP request framing: Content-Length must be a single non-negative number, not combined"
                            + " with Transfer-Encoding, and a chunked body must be hex chunk sizes with CRLFs.");
        };
    }

    private static ApiError malformed(int status, String part, String message) {
        return new ApiError(status, "invalid_request_error", "malformed_http_request", part, message, 0);
    }
}
