package jmistral.spark;

import java.util.List;
import java.util.Locale;
import jmistral.chat.Tool;

/**
 * The {@code toolChoice} param, as OpenAI's tool_choice: "auto" (the model decides; a call it writes
 * follows the tool's parameters), "none" (no calls), "required" or "any" (every answer is a call), or a
 * tool's name (every answer calls that tool). The engine's tool-call grammar enforces it token by token.
 */
final class ToolChoice {
    private ToolChoice() {}

    /** Throws IllegalArgumentException when the choice is unknown or needs tools that are not there. */
    static jmistral.chat.ToolChoice parse(String choice, List<Tool> tools) {
        String c = choice == null ? "auto" : choice.strip();
        jmistral.chat.ToolChoice parsed = switch (c.toLowerCase(Locale.ROOT)) {
            case "auto" -> jmistral.chat.ToolChoice.AUTO;
            case "none" -> jmistral.chat.ToolChoice.NONE;
            case "required", "any" -> jmistral.chat.ToolChoice.REQUIRED;
            default -> {
                if (tools.stream().noneMatch(t -> t.name().equals(c)))
                    throw new IllegalArgumentException("toolChoice '" + c + "' is not auto, none, required, any or the name of a tool ("
                            + String.join(", ", tools.stream().map(Tool::name).toList()) + ")");
                yield jmistral.chat.ToolChoice.named(c);
            }
        };
        if (tools.isEmpty() && parsed == jmistral.chat.ToolChoice.REQUIRED)
            throw new IllegalArgumentException("toolChoice '" + c + "' needs at least one tool (set tools)");
        return parsed;
    }
}
