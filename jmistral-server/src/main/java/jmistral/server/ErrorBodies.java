package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}. */
public final class ErrorBodies {
    private ErrorBodies() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body of {@code e}, for answers written outside a request handler (connection-level errors). */
    public static String body(ApiError e) {
        return body(JSON, e);
    }

    public static String body(ObjectMapper json, ApiError e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type);
        if (e.param == null) err.putNull("param");
        else err.put("param", e.param);
        if (e.code == null) err.putNull("code");
        else err.put("code", e.code);
        return root.toString();
    }
}
