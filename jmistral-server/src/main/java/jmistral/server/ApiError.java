package jmistral.server;

/**
 * An error answered to the client in OpenAI's shape:
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 * Client mistakes are 4xx (never 5xx: SDKs retry 5xx).
 */
public class ApiError extends RuntimeException {
    public final int status;
    public final String type;
    public final String param;
    public final String code;
    /** Seconds for the Retry-After header (429/503), or 0. */
    public final int retryAfterSeconds;

    public ApiError(int status, String type, String code, String param, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError invalidRequest(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message, 0);
    }

    public static ApiError contextLengthExceeded(int promptTokens, int maxTokens, int fit) {
        return new ApiError(400, "invalid_request_error", "context_length_exceeded", "messages",
                "This model's maximum context length is " + fit + " tokens. However, you requested "
                        + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in the messages, "
                        + maxTokens + " in the completion). Please reduce the length of the messages or completion.", 0);
    }

    public static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null,
                "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'.", 0);
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "invalid_request_error", "not_found", null, what, 0);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "Request body is larger than the limit of " + limit + " bytes.", 0);
    }

    public static ApiError overloaded(int retryAfter) {
        return new ApiError(429, "rate_limit_error", "queue_full", null,
                "The server is busy: too many requests are waiting. Retry after " + retryAfter + " s.", retryAfter);
    }

    public static ApiError loading() {
        return new ApiError(503, "unavailable_error", "model_loading", null, "The model is still loading.", 5);
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "server_error", "internal_error", null, message, 0);
    }
}
