package jmistral.server.engine;

import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.Tool;
import jmistral.chat.ToolCall;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.vision.ImageDecoder;
import jmistral.vision.ImageInputException;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The server's request ({@link ChatCompletionParams}) as the chat layer's {@link ChatRequest}:
 * roles to message records, tool-call ids normalised to 9 characters (vLLM keeps the last 9 of an
 * OpenAI {@code call_...} id, on the call and on its result alike), Mistral's {@code safe_prompt}
 * and the model's default system prompt prepended. Images are checked (data URL or base64 that
 * decodes; http(s) only when allowed) and then refused while the vision encoder is not wired in.
 */
final class ChatRequestMapper {

    /** Mistral's safety system prompt ({@code safe_prompt: true}). */
    static final String SAFE_PROMPT = "Always assist with care, respect, and truth. Respond with utmost utility yet "
            + "securely. Avoid harmful, unethical, prejudiced, or negative content. Ensure replies promote fairness and positivity.";

    private final boolean allowRemoteImages;
    private final String defaultSystemPrompt;       // null: none
    private final ImageDecoder images = new ImageDecoder();

    ChatRequestMapper(boolean allowRemoteImages, String defaultSystemPrompt) {
        this.allowRemoteImages = allowRemoteImages;
        this.defaultSystemPrompt = defaultSystemPrompt;
    }

    /** The chat request and how many messages were inserted before the client's (to fix error paths). */
    record Mapped(ChatRequest request, int insertedMessages) {}

    Mapped map(ChatCompletionParams p) {
        List<ChatMessage> messages = new ArrayList<>(p.messages().size() + 1);
        for (int i = 0; i < p.messages().size(); i++) messages.add(message(p.messages().get(i), "messages[" + i + "]"));
        int inserted = 0;
        boolean hasSystem = messages.stream().anyMatch(m -> m instanceof ChatMessage.System);
        if (!hasSystem && defaultSystemPrompt != null) {
            messages.addFirst(new ChatMessage.System(defaultSystemPrompt));
            inserted++;
        }
        if (p.safePrompt()) {
            if (!messages.isEmpty() && messages.getFirst() instanceof ChatMessage.System s) {
                messages.set(0, new ChatMessage.System(SAFE_PROMPT + "\n\n" + s.content()));
            } else {
                messages.addFirst(new ChatMessage.System(SAFE_PROMPT));
                inserted++;
            }
        }
        List<Tool> tools = p.tools().stream().map(t -> new Tool(t.name(), t.description(), t.parameters())).toList();
        // Mistral's prefix: true lives on the assistant message itself (the encoder appends no </s> after it).
        return new Mapped(new ChatRequest(messages, tools, false), inserted);
    }

    private ChatMessage message(ChatCompletionParams.Message m, String path) {
        return switch (m.role()) {
            case "system", "developer" -> new ChatMessage.System(text(m, path));
            case "user" -> new ChatMessage.User(userParts(m, path));
            case "assistant" -> new ChatMessage.Assistant(m.content().isEmpty() ? null : text(m, path),
                    m.toolCalls() == null ? List.of() : m.toolCalls().stream()
                            .map(c -> new ToolCall(normaliseId(c.id()), c.name(), c.arguments())).toList(),
                    m.prefix());
            case "tool" -> new ChatMessage.Tool(normaliseId(m.toolCallId()), null, text(m, path));
            default -> throw ApiError.invalidRequest(path + ".role", "Unknown role '" + m.role() + "' at " + path + ".");
        };
    }

    /** The last 9 characters of a longer id (vLLM's truncate_tool_call_ids); shorter ids stay as they are. */
    static String normaliseId(String id) {
        return id == null || id.length() <= 9 ? id : id.substring(id.length() - 9);
    }

    private static String text(ChatCompletionParams.Message m, String path) {
        StringBuilder sb = new StringBuilder();
        for (ChatCompletionParams.ContentPart part : m.content()) {
            if (part instanceof ChatCompletionParams.Text t) sb.append(t.text());
            else throw ApiError.invalidRequest(path + ".content", "Only user messages may contain images (" + path + ").");
        }
        return sb.toString();
    }

    private List<ContentPart> userParts(ChatCompletionParams.Message m, String path) {
        List<ContentPart> parts = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            switch (m.content().get(j)) {
                case ChatCompletionParams.Text t -> parts.add(new ContentPart.Text(t.text()));
                case ChatCompletionParams.ImageUrl img -> checkImage(img.url(), path + ".content[" + j + "]");
            }
        }
        return parts;
    }

    /** Checks that an image part is usable, then refuses it: the vision encoder is not wired in yet. */
    private void checkImage(String url, String path) {
        if (url.startsWith("http://") || url.startsWith("https://")) {
            if (!allowRemoteImages) {
                throw ApiError.invalidRequest(path, "Image URLs are not fetched by this server (" + path
                        + "): send the image as a data URL (data:image/png;base64,...), or start the server with --allow-remote-images.");
            }
        } else {
            byte[] data = base64(url, path);
            try {
                images.decode(data, path);
            } catch (ImageInputException e) {
                throw ApiError.invalidRequest(path, "The image at " + path + " cannot be decoded: " + e.getMessage());
            }
        }
        throw ApiError.invalidRequest(path, "Image input is not available in this server yet (" + path
                + "): the vision encoder is not wired into serving. Send text only.");
    }

    private static byte[] base64(String url, String path) {
        String b64 = url;
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                throw ApiError.invalidRequest(path, "The image at " + path + " is a data URL without ';base64,' data.");
            }
            b64 = url.substring(comma + 1);
        }
        try {
            return Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " is neither an http(s) URL nor valid base64: " + e.getMessage());
        }
    }
}
