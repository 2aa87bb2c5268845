package jmistral.spark;

import java.util.List;
import java.util.Locale;
import jmistral.chat.Tool;
import jmistral.generate.constraint.ToolCallGrammar;

/**
 * The {@code toolChoice} param, as OpenAI's tool_choice: "auto" (the model decides; a call it writes
 * follows the tool's parameters), "none" (no calls), "required" or "any" (every answer is a call), or a
 * tool's name (every answer calls that tool). The tool-call grammar enforces it token by token.
 */
final class ToolChoice {
    private ToolChoice() {}

    /** Throws IllegalArgumentException when the choice is unknown or needs tools that are not there. */
    static ToolCallGrammar.Choice parse(String choice, List<Tool> tools) {
        String c = choice == null ? "auto" : choice.strip();
        ToolCallGrammar.Choice parsed = switch (c.toLowerCase(Locale.ROOT)) {
            case "auto" -> new ToolCallGrammar.Choice.Auto();
            case "none" -> new ToolCallGrammar.Choice.None();
            case "required", "any" -> new ToolCallGrammar.Choice.Required();
            default -> {
                if (tools.stream().noneMatch(t -> t.name().equals(c)))
                    throw new IllegalArgumentException("toolChoice '" + c + "' is not auto, none, required, any or the name of a tool ("
                            + String.join(", ", tools.stream().map(Tool::name).toList()) + ")");
                yield new ToolCallGrammar.Choice.Named(c);
            }
        };
        if (tools.isEmpty() && parsed instanceof ToolCallGrammar.Choice.Required)
            throw new IllegalArgumentException("toolChoice '" + c + "' needs at least one tool (set tools)");
        return parsed;
    }

    /** Whether every answer must be a tool call (the row's JSON schema cannot apply then). */
    static boolean forcesCall(ToolCallGrammar.Choice c) {
        return c instanceof ToolCallGrammar.Choice.Required || c instanceof ToolCallGrammar.Choice.Named;
    }

    static List<ToolCallGrammar.Tool> grammarTools(List<Tool> tools) {
        return tools.stream().map(t -> new ToolCallGrammar.Tool(t.name(), t.parameters())).toList();
    }
}
