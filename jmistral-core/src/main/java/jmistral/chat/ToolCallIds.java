package jmistral.chat;

import java.util.ArrayList;
import java.util.List;

/** vLLM's leniency for OpenAI clients: tool call ids longer than 9 chars are cut to their last 9. */
final class ToolCallIds {
    private ToolCallIds() {}

    static ChatRequest truncate(ChatRequest req) {
        List<ChatMessage> out = new ArrayList<>(req.messages().size());
        for (ChatMessage m : req.messages()) {
            out.add(switch (m) {
                case ChatMessage.Assistant a when a.toolCalls().stream().anyMatch(c -> c.id() != null && c.id().length() > 9) ->
                        new ChatMessage.Assistant(a.content(), a.toolCalls().stream()
                                .map(c -> new ToolCall(cut(c.id()), c.name(), c.arguments())).toList(), a.prefix());
                case ChatMessage.Tool t when t.toolCallId() != null && t.toolCallId().length() > 9 ->
                        new ChatMessage.Tool(cut(t.toolCallId()), t.name(), t.content());
                default -> m;
            });
        }
        return req.withMessages(out);
    }

    private static String cut(String id) { return id == null || id.length() <= 9 ? id : id.substring(id.length() - 9); }
}
