package jmistral.cli;

import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;

/**
 * A chat as messages (system prompt, then user / assistant turns; images carry their pixels); each turn's
 * prompt is the v11 encoding of the whole conversation. Since v11 encodes every message on its own, the
 * prompt of turn n+1 starts with the prompt of turn n followed by its answer (re-encoded from the answer's
 * text), so the engine's prefix cache reuses the earlier turns.
 */
final class Conversation {

    private final PromptEncoder encoder;
    private String system;                                   // null: none
    private final List<ChatMessage> turns = new ArrayList<>();

    Conversation(PromptEncoder encoder, String system) {
        this.encoder = encoder;
        this.system = system;
    }

    /** Sets (blank: removes) the system prompt and starts over. */
    void setSystem(String text) {
        system = text == null || text.isBlank() ? null : text;
        clear();
    }

    String system() { return system; }

    void clear() {
        turns.clear();
    }

    /** The request for the conversation so far followed by {@code user}. */
    ChatRequest requestWith(ChatMessage.User user) {
        List<ChatMessage> all = new ArrayList<>(turns.size() + 2);
        if (system != null) all.add(new ChatMessage.System(system));
        all.addAll(turns);
        all.add(user);
        return new ChatRequest(all, List.of(), false);
    }

    /** The prompt for the conversation so far followed by {@code user} (not added yet). */
    EncodedPrompt promptWith(ChatMessage.User user) {
        return encoder.encode(requestWith(user));
    }

    /**
     * Keeps a finished exchange. Only the answer's text is kept: the CLI offers no tools, so a tool call
     * has no result to go with it. An exchange without answer text is not kept (v11 has no empty
     * assistant message); returns whether it was kept.
     */
    boolean add(ChatMessage.User user, OutputParser.Result answer) {
        if (answer.content().isEmpty()) return false;
        turns.add(user);
        turns.add(ChatMessage.Assistant.text(answer.content()));
        return true;
    }
}
