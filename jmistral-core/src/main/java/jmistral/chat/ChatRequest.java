package jmistral.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A chat request: messages, available tools, whether to continue the final assistant message
 * (OpenAI/vLLM {@code continue_final_message}: no {@code </s>} after it), and how to answer
 * ({@link ChatOptions}: tool choice, response format, sampling, n, logprobs). The prompt encoder reads
 * the first three; the engine reads all of it.
 */
public record ChatRequest(List<ChatMessage> messages, List<Tool> tools, boolean continueFinalMessage, ChatOptions options) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        if (options == null) options = ChatOptions.DEFAULTS;
    }

    /** A request answered with the default options. */
    public ChatRequest(List<ChatMessage> messages, List<Tool> tools, boolean continueFinalMessage) {
        this(messages, tools, continueFinalMessage, ChatOptions.DEFAULTS);
    }

    public static ChatRequest of(ChatMessage... messages) { return new ChatRequest(List.of(messages), List.of(), false); }

    public static ChatRequest of(List<ChatMessage> messages) { return new ChatRequest(messages, List.of(), false); }

    public ChatRequest withTools(List<Tool> tools) { return new ChatRequest(messages, tools, continueFinalMessage, options); }

    public ChatRequest withOptions(ChatOptions options) { return new ChatRequest(messages, tools, continueFinalMessage, options); }

    public ChatRequest withMessages(List<ChatMessage> messages) { return new ChatRequest(messages, tools, continueFinalMessage, options); }

    /** This request with a system message first when it has none (the model's default system prompt). */
    public ChatRequest withDefaultSystemPrompt(String systemPrompt) {
        if (systemPrompt == null || messages.stream().anyMatch(m -> m instanceof ChatMessage.System)) return this;
        List<ChatMessage> all = new ArrayList<>(messages.size() + 1);
        all.add(new ChatMessage.System(systemPrompt));
        all.addAll(messages);
        return new ChatRequest(all, tools, continueFinalMessage, options);
    }
}
