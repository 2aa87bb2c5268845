package jmistral.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * What to encode: messages, available tools, and whether to continue the final assistant message
 * (OpenAI/vLLM {@code continue_final_message}: no {@code </s>} after it).
 */
public record ChatRequest(List<ChatMessage> messages, List<Tool> tools, boolean continueFinalMessage) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    public static ChatRequest of(ChatMessage... messages) { return new ChatRequest(List.of(messages), List.of(), false); }

    public ChatRequest withTools(List<Tool> tools) { return new ChatRequest(messages, tools, continueFinalMessage); }

    /** This request with a system message first when it has none (the model's default system prompt). */
    public ChatRequest withDefaultSystemPrompt(String systemPrompt) {
        if (systemPrompt == null || messages.stream().anyMatch(m -> m instanceof ChatMessage.System)) return this;
        List<ChatMessage> all = new ArrayList<>(messages.size() + 1);
        all.add(new ChatMessage.System(systemPrompt));
        all.addAll(messages);
        return new ChatRequest(all, tools, continueFinalMessage);
    }
}
