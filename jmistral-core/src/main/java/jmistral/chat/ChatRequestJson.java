package jmistral.chat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI/Mistral-style chat request ({@code messages}, {@code tools}, {@code continue_final_message}).
 * Image parts ({@code image_url} as string or {@code {"url": ...}}, or {@code image}) get their size from
 * optional {@code width}/{@code height} fields or from the {@link ImageSizer}.
 */
public final class ChatRequestJson {
    private ChatRequestJson() {}

    /** Parses a chat request body; malformed JSON or fields are a {@link ChatValidationException} naming the field. */
    public static ChatRequest parse(String json, ImageSizer sizer) {
        JsonNode root;
        try {
            root = PyJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new ChatValidationException("$", "request is not valid JSON: " + e.getMessage());
        }
        return parse(root, sizer);
    }

    /** {@link #parse(String, ImageSizer)} on an already-parsed tree. */
    public static ChatRequest parse(JsonNode root, ImageSizer sizer) {
        if (root == null || !root.isObject()) throw new ChatValidationException("$", "request must be a JSON object");
        JsonNode msgs = root.path("messages");
        if (!msgs.isArray()) throw new ChatValidationException("messages", "must be an array");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) messages.add(message(msgs.get(i), "messages[" + i + "]", sizer));
        List<Tool> tools = new ArrayList<>();
        JsonNode ts = root.path("tools");
        if (ts.isArray()) {
            for (int i = 0; i < ts.size(); i++) {
                String path = "tools[" + i + "]";
                JsonNode f = ts.get(i).path("function");
                if (!f.isObject()) throw new ChatValidationException(path + ".function", "missing");
                tools.add(new Tool(text(f, "name", path + ".function"), f.path("description").asText(""),
                        f.hasNonNull("parameters") ? f.get("parameters") : null));
            }
        }
        return new ChatRequest(messages, tools, root.path("continue_final_message").asBoolean(false));
    }

    private static ChatMessage message(JsonNode m, String path, ImageSizer sizer) {
        String role = m.path("role").asText("");
        JsonNode content = m.get("content");
        return switch (role) {
            case "system", "developer" -> new ChatMessage.System(joinedText(content, path));
            case "user" -> new ChatMessage.User(parts(content, path, sizer));
            case "assistant" -> {
                List<ToolCall> calls = new ArrayList<>();
                JsonNode tc = m.path("tool_calls");
                for (int k = 0; tc.isArray() && k < tc.size(); k++) {
                    String cp = path + ".tool_calls[" + k + "]";
                    JsonNode f = tc.get(k).path("function");
                    JsonNode a = f.get("arguments");
                    String argsText = a == null || a.isNull() ? null : a.isTextual() ? a.textValue() : PyJson.dumps(a);
                    JsonNode id = tc.get(k).get("id");
                    calls.add(new ToolCall(id == null || id.isNull() ? null : id.asText(), text(f, "name", cp + ".function"), argsText));
                }
                String text = content == null || content.isNull() ? null : joinedText(content, path);
                yield new ChatMessage.Assistant(text, calls, m.path("prefix").asBoolean(false));
            }
            case "tool" -> {
                String text = joinedText(content, path);
                if (text == null) throw new ChatValidationException(path + ".content", "tool message must have content");
                yield new ChatMessage.Tool(m.hasNonNull("tool_call_id") ? m.get("tool_call_id").asText() : null,
                        m.hasNonNull("name") ? m.get("name").asText() : null, text);
            }
            default -> throw new ChatValidationException(path + ".role", "unknown role '" + role + "' (system, user, assistant, tool)");
        };
    }

    private static List<ContentPart> parts(JsonNode content, String path, ImageSizer sizer) {
        if (content == null || content.isNull()) return List.of(new ContentPart.Text(""));
        if (content.isTextual()) return List.of(new ContentPart.Text(content.textValue()));
        if (!content.isArray()) throw new ChatValidationException(path + ".content", "must be a string or an array of parts");
        List<ContentPart> parts = new ArrayList<>();
        for (int k = 0; k < content.size(); k++) {
            JsonNode p = content.get(k);
            String pp = path + ".content[" + k + "]";
            String type = p.path("type").asText("");
            switch (type) {
                case "text" -> parts.add(new ContentPart.Text(text(p, "text", pp)));
                case "image_url", "image" -> {
                    JsonNode ref = p.get(type);
                    String url = ref == null ? null : ref.isTextual() ? ref.textValue() : ref.path("url").asText(null);
                    if (url == null) throw new ChatValidationException(pp + "." + type, "missing image url");
                    int w = p.path("width").asInt(0), h = p.path("height").asInt(0);
                    if (w <= 0 || h <= 0) {
                        try {
                            int[] size = sizer.size(url);
                            w = size[0];
                            h = size[1];
                        } catch (IOException | RuntimeException e) {
                            throw new ChatValidationException(pp, "cannot read image size: " + e.getMessage());
                        }
                    }
                    parts.add(new ContentPart.Image(url, w, h));
                }
                default -> throw new ChatValidationException(pp + ".type", "unsupported content part type '" + type + "'");
            }
        }
        return parts;
    }

    /** String content, or text parts joined with a blank line (mistral-common's chunk aggregation). */
    private static String joinedText(JsonNode content, String path) {
        if (content == null || content.isNull()) return null;
        if (content.isTextual()) return content.textValue();
        if (!content.isArray()) throw new ChatValidationException(path + ".content", "must be a string or an array of text parts");
        List<String> texts = new ArrayList<>();
        for (int k = 0; k < content.size(); k++) {
            JsonNode p = content.get(k);
            if (!"text".equals(p.path("type").asText())) throw new ChatValidationException(path + ".content[" + k + "]", "only text parts are allowed here");
            texts.add(text(p, "text", path + ".content[" + k + "]"));
        }
        return String.join("\n\n", texts);
    }

    private static String text(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) throw new ChatValidationException(path + "." + key, "missing or not a string");
        return v.textValue();
    }
}
