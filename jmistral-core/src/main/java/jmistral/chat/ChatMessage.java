package jmistral.chat;

import java.util.List;
import java.util.Objects;

/** One message of a chat request: system, user, assistant or tool. */
public sealed interface ChatMessage {

    String role();

    /** A system prompt, encoded in place as {@code [SYSTEM_PROMPT]text[/SYSTEM_PROMPT]}. */
    record System(String content) implements ChatMessage {
        public String role() { return "system"; }
    }

    /** A user turn: text and image parts in order. */
    record User(List<ContentPart> content) implements ChatMessage {
        public User { content = List.copyOf(content); }

        public static User text(String text) { return new User(List.of(new ContentPart.Text(text))); }

        public String role() { return "user"; }
    }

    /**
     * An assistant turn: text (may be null/empty when there are tool calls) and tool calls.
     * {@code prefix}: the final message is a start the model continues (no {@code </s>} appended).
     */
    record Assistant(String content, List<ToolCall> toolCalls, boolean prefix) implements ChatMessage {
        public Assistant { toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls); }

        public static Assistant text(String text) { return new Assistant(text, List.of(), false); }

        public String role() { return "assistant"; }
    }

    /** The result of a tool call, linked by the call id; {@code name} is optional and not encoded. */
    record Tool(String toolCallId, String name, String content) implements ChatMessage {
        public Tool { Objects.requireNonNull(content, "tool content"); }

        public String role() { return "tool"; }
    }
}
