package jmistral.chat;

/**
 * A function call made by the assistant.
 *
 * @param id        9 alphanumerics in the v11 format, or null when absent (then no [CALL_ID] is encoded)
 * @param name      function name, {@code [a-zA-Z0-9_-]{1,64}}
 * @param arguments JSON text of the arguments (re-serialized Python-style when it parses as JSON)
 */
public record ToolCall(String id, String name, String arguments) {}
