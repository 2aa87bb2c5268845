package jmistral.engine;

/**
 * A request the engine cannot run as given: a message the prompt format rejects, an image without
 * pixels or vision weights, a schema constrained decoding does not support. {@link #param()} names the
 * field as a JSON path ({@code messages[2].content[0]}, {@code response_format.json_schema.schema}).
 */
public class InvalidRequestException extends RuntimeException {
    private final String param;

    public InvalidRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    public InvalidRequestException(String param, String message, Throwable cause) {
        super(message, cause);
        this.param = param;
    }

    /** The request field at fault, or null for the request as a whole. */
    public String param() { return param; }
}
