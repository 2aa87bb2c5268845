package jmistral.chat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a request like mistral-common's {@code MistralRequestValidatorV13} (used for v11): message order,
 * last message, tool names and call ids, calls matched by results. Runs on the request as given
 * (before merging), so paths point at the caller's messages.
 */
final class RequestValidator {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern CALL_ID = Pattern.compile("[a-zA-Z0-9]{9}");

    private RequestValidator() {}

    static void validate(ChatRequest req, ValidationMode mode) {
        List<ChatMessage> msgs = req.messages();
        if (msgs.isEmpty()) throw new ChatValidationException("messages", "conversation must have at least one message");
        if (msgs.size() == 1 && !(msgs.get(0) instanceof ChatMessage.User || msgs.get(0) instanceof ChatMessage.System))
            throw new ChatValidationException("messages[0]", "conversation must start with a user message or system message");
        if (msgs.size() > 1) validateLast(msgs.get(msgs.size() - 1), msgs.size() - 1, req.continueFinalMessage());
        if (req.continueFinalMessage() && !(msgs.get(msgs.size() - 1) instanceof ChatMessage.Assistant))
            throw new ChatValidationException("messages[" + (msgs.size() - 1) + "]", "cannot continue the final message: it is not an assistant message");
        validateOrder(msgs);
        validateCallsAnswered(msgs, mode);
        for (int i = 0; i < msgs.size(); i++) validateContent(msgs.get(i), "messages[" + i + "]", i == msgs.size() - 1, mode);
        for (int i = 0; i < req.tools().size(); i++) {
            Tool t = req.tools().get(i);
            String path = "tools[" + i + "].function";
            checkName(t.name(), path + ".name");
            if (t.parameters() != null && !t.parameters().isObject() && !t.parameters().isNull())
                throw new ChatValidationException(path + ".parameters", "must be a JSON schema object");
        }
    }

    private static void validateLast(ChatMessage last, int idx, boolean continueFinal) {
        String path = "messages[" + idx + "]";
        if (last instanceof ChatMessage.Assistant a) {
            if (!a.prefix() && !continueFinal)
                throw new ChatValidationException(path, "last message must be user or tool (or assistant with prefix or continue_final_message), got assistant");
            if (continueFinal && a.prefix())
                throw new ChatValidationException(path, "continue_final_message needs an assistant message with prefix false");
        } else if (continueFinal) {
            throw new ChatValidationException(path, "continue_final_message needs a final assistant message, got " + last.role());
        }   // a final system message is accepted, as in mistral-common
    }

    private static void validateOrder(List<ChatMessage> msgs) {
        for (int i = 1; i < msgs.size(); i++) {
            ChatMessage prev = msgs.get(i - 1), cur = msgs.get(i);
            boolean ok = switch (prev) {
                case ChatMessage.System s -> !(cur instanceof ChatMessage.Tool);
                case ChatMessage.User u -> !(cur instanceof ChatMessage.Tool);
                case ChatMessage.Assistant a -> !(cur instanceof ChatMessage.System);
                case ChatMessage.Tool t -> cur instanceof ChatMessage.Assistant || cur instanceof ChatMessage.Tool;
            };
            if (!ok) throw new ChatValidationException("messages[" + i + "]", "unexpected role '" + cur.role() + "' after role '" + prev.role() + "'");
        }
    }

    /** Every call of an assistant message is answered once, by id, before the next assistant message. */
    private static void validateCallsAnswered(List<ChatMessage> msgs, ValidationMode mode) {
        Set<String> expected = new HashSet<>(), observed = new HashSet<>();
        for (int i = 1; i < msgs.size(); i++) {
            String path = "messages[" + i + "]";
            if (msgs.get(i) instanceof ChatMessage.Tool t) {
                String id = String.valueOf(t.toolCallId());
                if (observed.contains(id)) throw new ChatValidationException(path + ".tool_call_id", "duplicate tool call id " + id + " in tool results");
                if (!expected.contains(id)) throw new ChatValidationException(path + ".tool_call_id", "unexpected tool call id " + id + " (no such call in the preceding assistant message)");
                observed.add(id);
            } else if (msgs.get(i) instanceof ChatMessage.Assistant a) {
                if (expected.size() != observed.size())
                    throw new ChatValidationException(path, "not the same number of function calls and responses before this message");
                expected.clear();
                observed.clear();
                for (int k = 0; k < a.toolCalls().size(); k++) {
                    String id = String.valueOf(a.toolCalls().get(k).id());
                    if (!expected.add(id)) throw new ChatValidationException(path + ".tool_calls[" + k + "].id", "duplicate tool call id " + id);
                }
            }
        }
        if (mode == ValidationMode.SERVING && expected.size() != observed.size())
            throw new ChatValidationException("messages", "not the same number of function calls and responses");
    }

    private static void validateContent(ChatMessage m, String path, boolean isLast, ValidationMode mode) {
        switch (m) {
            case ChatMessage.System s -> {
                if (s.content() == null) throw new ChatValidationException(path + ".content", "system prompt must have content");
            }
            case ChatMessage.User u -> { }
            case ChatMessage.Assistant a -> {
                if ((a.content() == null || a.content().isEmpty()) && a.toolCalls().isEmpty())
                    throw new ChatValidationException(path, "assistant message must have content or tool_calls");
                for (int k = 0; k < a.toolCalls().size(); k++) {
                    ToolCall c = a.toolCalls().get(k);
                    String cp = path + ".tool_calls[" + k + "]";
                    if (c.id() == null || c.id().equals("null")) {
                        if (mode == ValidationMode.SERVING) throw new ChatValidationException(cp + ".id", "tool call id has to be defined");
                    } else if (!CALL_ID.matcher(c.id()).matches()) {
                        throw new ChatValidationException(cp + ".id", "tool call id was " + c.id() + " but must be a-z, A-Z, 0-9, with a length of 9");
                    }
                    checkName(c.name(), cp + ".function.name");
                }
                if (a.prefix() && !isLast) throw new ChatValidationException(path + ".prefix", "assistant message with prefix true must be the last message");
            }
            case ChatMessage.Tool t -> {
                if (t.name() != null) checkName(t.name(), path + ".name");
                if (t.toolCallId() == null) throw new ChatValidationException(path + ".tool_call_id", "tool call id has to be defined");
                if (!CALL_ID.matcher(t.toolCallId()).matches())
                    throw new ChatValidationException(path + ".tool_call_id", "tool call id was " + t.toolCallId() + " but must be a-z, A-Z, 0-9, with a length of 9");
            }
        }
    }

    private static void checkName(String name, String path) {
        if (name == null || !NAME.matcher(name).matches())
            throw new ChatValidationException(path, "function name was " + name + " but must be a-z, A-Z, 0-9, underscores or dashes, at most 64 long");
    }
}
