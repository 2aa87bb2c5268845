package jmistral.chat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * mistral-common's {@code InstructRequestNormalizerV13} (v11 since 1.10): runs of consecutive messages
 * with the same role are merged — user texts joined with a blank line (images kept in place), assistant
 * contents joined, calls concatenated, prefix OR-ed — system messages stay separate, tool-call arguments
 * are re-serialized as Python JSON, and tool results are put in the order of the calls.
 */
final class RequestNormalizer {
    private RequestNormalizer() {}

    static List<ChatMessage> normalize(List<ChatMessage> messages, PromptFormat format) {
        List<ChatMessage> out = new ArrayList<>();
        List<String> latestCallIds = new ArrayList<>();
        int i = 0;
        while (i < messages.size()) {
            int j = i;
            while (j < messages.size() && messages.get(j).getClass() == messages.get(i).getClass()) j++;
            List<ChatMessage> run = messages.subList(i, j);
            switch (run.get(0)) {
                case ChatMessage.System s -> out.addAll(run);
                case ChatMessage.User u -> out.add(mergeUsers(run));
                case ChatMessage.Assistant a -> {
                    ChatMessage.Assistant merged = mergeAssistants(run);
                    out.add(merged);
                    for (ToolCall c : merged.toolCalls()) latestCallIds.add(c.id() == null ? "null" : c.id());
                }
                case ChatMessage.Tool t -> {
                    out.addAll(tools(run, latestCallIds, format));
                    latestCallIds.clear();
                }
            }
            i = j;
        }
        if (out.isEmpty()) out.add(ChatMessage.User.text(""));
        return out;
    }

    private static ChatMessage.User mergeUsers(List<ChatMessage> run) {
        List<ContentPart> parts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (ChatMessage m : run) {
            for (ContentPart p : ((ChatMessage.User) m).content()) {
                if (p instanceof ContentPart.Text t) {
                    texts.add(t.text());
                } else {
                    if (!texts.isEmpty()) parts.add(new ContentPart.Text(String.join("\n\n", texts)));
                    texts.clear();
                    parts.add(p);
                }
            }
        }
        String text = String.join("\n\n", texts);
        if (!text.isEmpty() || parts.isEmpty()) parts.add(new ContentPart.Text(text));
        return new ChatMessage.User(parts);
    }

    private static ChatMessage.Assistant mergeAssistants(List<ChatMessage> run) {
        List<String> contents = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        boolean prefix = false;
        for (ChatMessage m : run) {
            ChatMessage.Assistant a = (ChatMessage.Assistant) m;
            for (ToolCall c : a.toolCalls()) calls.add(new ToolCall(c.id(), c.name(), PyJson.normalize(c.arguments())));
            if (a.content() != null && !a.content().isEmpty()) contents.add(a.content());
            prefix |= a.prefix();
        }
        return new ChatMessage.Assistant(contents.isEmpty() ? null : String.join("\n\n", contents), calls, prefix);
    }

    private static List<ChatMessage> tools(List<ChatMessage> run, List<String> callIds, PromptFormat format) {
        List<ChatMessage.Tool> tools = new ArrayList<>();
        for (ChatMessage m : run) {
            ChatMessage.Tool t = (ChatMessage.Tool) m;
            tools.add(format.normalizeToolContent() ? new ChatMessage.Tool(t.toolCallId(), t.name(), PyJson.normalize(t.content())) : t);
        }
        if (format.reorderToolResults()) {
            Map<String, Integer> callIndex = new HashMap<>(), resultIndex = new HashMap<>();
            for (int k = 0; k < callIds.size(); k++) callIndex.put(callIds.get(k), k);
            for (int k = 0; k < tools.size(); k++) resultIndex.put(String.valueOf(tools.get(k).toolCallId()), k);
            tools.sort(Comparator.<ChatMessage.Tool>comparingDouble(t -> callIndex.getOrDefault(String.valueOf(t.toolCallId()), Integer.MAX_VALUE))
                    .thenComparingInt(t -> resultIndex.get(String.valueOf(t.toolCallId()))));
        }
        return new ArrayList<>(tools);
    }
}
