package jmistral.chat;

/** A chat request that cannot be encoded; {@link #path()} says where, e.g. {@code messages[2].tool_calls[0].id}. */
public class ChatValidationException extends RuntimeException {
    private final String path;

    public ChatValidationException(String path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    public String path() { return path; }
}
