package jmistral.server;

import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;

/**
 * A {@code POST /v1/chat/completions} body: the chat request itself (the chat package's type, which the
 * engine runs) and what only the HTTP layer uses.
 *
 * @param model        the client's model name (echoed in answers), or null
 * @param chat         messages, tools and options
 * @param stream       answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 * @param safePrompt   Mistral's {@code safe_prompt}: the safety system prompt goes first
 */
public record ChatCompletionRequest(String model, ChatRequest chat, boolean stream, boolean includeUsage, boolean safePrompt) {

    /** Mistral's safety system prompt ({@code safe_prompt: true}). */
    static final String SAFE_PROMPT = "Always assist with care, respect, and truth. Respond with utmost utility yet "
            + "securely. Avoid harmful, unethical, prejudiced, or negative content. Ensure replies promote fairness and positivity.";

    /** The request to run and how many messages were put before the client's (error paths are shifted back by it). */
    record WithSystemPrompts(ChatRequest chat, int insertedMessages) {}

    /**
     * The chat with the model's default system prompt when it has no system message, then the safety
     * prompt before the first system message when asked.
     */
    WithSystemPrompts withSystemPrompts(String defaultSystemPrompt) {
        ChatRequest withDefault = chat.withDefaultSystemPrompt(defaultSystemPrompt);
        int inserted = withDefault.messages().size() - chat.messages().size();
        if (!safePrompt) return new WithSystemPrompts(withDefault, inserted);
        List<ChatMessage> messages = new ArrayList<>(withDefault.messages());
        if (!messages.isEmpty() && messages.getFirst() instanceof ChatMessage.System s) {
            messages.set(0, new ChatMessage.System(SAFE_PROMPT + "\n\n" + s.content()));
        } else {
            messages.addFirst(new ChatMessage.System(SAFE_PROMPT));
            inserted++;
        }
        return new WithSystemPrompts(withDefault.withMessages(messages), inserted);
    }
}
