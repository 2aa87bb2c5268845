package jmistral.server.engine;

import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.Tool;
import jmistral.chat.ToolCall;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageInputException;
import jmistral.image.RgbImage;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's request ({@link ChatCompletionParams}) as the chat layer's {@link ChatRequest}:
 * roles to message records, tool-call ids normalised to 9 characters (vLLM keeps the last 9 of an
 * OpenAI {@code call_...} id, on the call and on its result alike), Mistral's {@code safe_prompt}
 * and the model's default system prompt prepended. Images are decoded here (data URL or bare base64;
 * http(s) only when allowed): a part that does not decode is a 400 naming it; without a vision
 * projector (--mmproj) images are a 400 too.
 */
final class ChatRequestMapper {

    /** Mistral's safety system prompt ({@code safe_prompt: true}). */
    static final String SAFE_PROMPT = "Always assist with care, respect, and truth. Respond with utmost utility yet "
            + "securely. Avoid harmful, unethical, prejudiced, or negative content. Ensure replies promote fairness and positivity.";

    private static final long MAX_REMOTE_IMAGE_BYTES = 32L << 20;

    private final boolean allowRemoteImages;
    private final boolean visionAvailable;
    private final String defaultSystemPrompt;       // null: none
    private final ImageDecoder images = new ImageDecoder();

    ChatRequestMapper(boolean allowRemoteImages, String defaultSystemPrompt) {
        this(allowRemoteImages, false, defaultSystemPrompt);
    }

    ChatRequestMapper(boolean allowRemoteImages, boolean visionAvailable, String defaultSystemPrompt) {
        this.allowRemoteImages = allowRemoteImages;
        this.visionAvailable = visionAvailable;
        this.defaultSystemPrompt = defaultSystemPrompt;
    }

    /**
     * The chat request, how many messages were inserted before the client's (to fix error paths), and
     * the decoded pixels of each image part.
     */
    record Mapped(ChatRequest request, int insertedMessages, Map<ContentPart.Image, RgbImage> pixels) {}

    private Map<ContentPart.Image, RgbImage> pixels;     // of the request being mapped

    Mapped map(ChatCompletionParams p) {
        pixels = new HashMap<>();
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
        return new Mapped(new ChatRequest(messages, tools, false), inserted, pixels);
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
                case ChatCompletionParams.ImageUrl img -> {
                    String part = path + ".content[" + j + "]";
                    RgbImage rgb = decode(img.url(), part);
                    ContentPart.Image image = new ContentPart.Image(part, rgb.width(), rgb.height());
                    pixels.put(image, rgb);
                    parts.add(image);
                }
            }
        }
        return parts;
    }

    /** The pixels of an image part; a 400 naming the part when they cannot be had. */
    private RgbImage decode(String url, String path) {
        if (!visionAvailable) {
            throw ApiError.invalidRequest(path, "This server has no vision projector, so it cannot read images (" + path
                    + "): start it with --mmproj FILE (the model's mmproj GGUF), or send text only.");
        }
        byte[] data;
        if (url.startsWith("http://") || url.startsWith("https://")) {
            if (!allowRemoteImages) {
                throw ApiError.invalidRequest(path, "Image URLs are not fetched by this server (" + path
                        + "): send the image as a data URL (data:image/png;base64,...), or start the server with --allow-remote-images.");
            }
            data = fetch(url, path);
        } else {
            data = base64(url, path);
        }
        try {
            return images.decode(data, path);
        } catch (ImageInputException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " cannot be decoded: " + e.getMessage());
        }
    }

    private static byte[] fetch(String url, String path) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                if (r.statusCode() != 200) throw new java.io.IOException("HTTP " + r.statusCode());
                byte[] data = in.readNBytes((int) MAX_REMOTE_IMAGE_BYTES + 1);
                if (data.length > MAX_REMOTE_IMAGE_BYTES) throw new java.io.IOException("larger than " + MAX_REMOTE_IMAGE_BYTES + " bytes");
                return data;
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " could not be fetched from " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.invalidRequest(path, "Interrupted while fetching the image at " + path);
        }
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
