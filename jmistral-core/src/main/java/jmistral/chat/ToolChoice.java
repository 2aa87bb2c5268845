package jmistral.chat;

import java.util.Objects;

/**
 * Whether and which tools the model must call (OpenAI's {@code tool_choice}).
 *
 * @param mode AUTO: the model decides (a call it writes follows the tool's parameters); NONE: no calls;
 *             REQUIRED: every answer is one or more calls; NAMED: every answer calls {@code name}
 * @param name the tool for NAMED, else null
 */
public record ToolChoice(Mode mode, String name) {
    public enum Mode { AUTO, NONE, REQUIRED, NAMED }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.NAMED && (name == null || name.isEmpty()))
            throw new ChatValidationException("tool_choice", "a named tool choice needs the tool's name");
        if (mode != Mode.NAMED) name = null;
    }

    public static ToolChoice named(String tool) { return new ToolChoice(Mode.NAMED, tool); }

    /** Whether every answer must be a tool call. */
    public boolean forcesCall() { return mode == Mode.REQUIRED || mode == Mode.NAMED; }
}
