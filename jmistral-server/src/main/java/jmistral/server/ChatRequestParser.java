package jmistral.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.ResponseFormat;
import jmistral.chat.Tool;
import jmistral.chat.ToolCall;
import jmistral.chat.ToolChoice;
import jmistral.image.RgbImage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a chat-completions JSON body (OpenAI and Mistral dialects) into the chat package's
 * {@link ChatRequest} (messages, tools, options) inside a {@link ChatCompletionRequest} (what only HTTP
 * needs: stream, usage chunk, safe_prompt). Images are decoded here ({@link ImageUrls}). Every problem is
 * an {@link ApiError} 400 naming the field (as a JSON path such as {@code messages[2].content}). Unknown
 * fields are ignored, as OpenAI, vLLM and llama.cpp do.
 */
public final class ChatRequestParser {
    private static final int MAX_STOP_SEQUENCES = 16;

    private final ObjectMapper json;
    private final ImageUrls images;

    /** A parser for a server without vision weights (image parts are a 400). */
    public ChatRequestParser(ObjectMapper json) {
        this(json, false, false);
    }

    /**
     * @param allowRemoteImages fetch http(s) image URLs (else data URLs only)
     * @param visionAvailable   the engine can read images (else image parts are a 400 saying so)
     */
    public ChatRequestParser(ObjectMapper json, boolean allowRemoteImages, boolean visionAvailable) {
        this.json = json;
        this.images = new ImageUrls(allowRemoteImages, visionAvailable);
    }

    public ChatCompletionRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            // a parsing-limit breach (depth, number or string length) has no location
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiError.invalidRequest(null, "The request body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (java.io.IOException e) {
            throw ApiError.invalidRequest(null, "The request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw ApiError.invalidRequest(null, "The request body must be a JSON object.");

        List<ChatMessage> messages = messages(root.get("messages"));
        List<Tool> tools = tools(root.get("tools"));
        ToolChoice toolChoice = toolChoice(root.get("tool_choice"), tools);
        Integer maxTokens = optInt(root, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) maxTokens = optInt(root, "max_tokens", 1, Integer.MAX_VALUE);
        Long seed = optLong(root, "seed");
        if (seed == null) seed = optLong(root, "random_seed");
        boolean logprobs = optBool(root, "logprobs", false);
        Integer topLogprobs = optInt(root, "top_logprobs", 0, ChatOptions.MAX_TOP_LOGPROBS);
        if (topLogprobs != null && topLogprobs > 0 && !logprobs) {
            throw ApiError.invalidRequest("top_logprobs", "top_logprobs requires logprobs to be true.");
        }
        JsonNode streamOptions = root.get("stream_options");
        boolean includeUsage = streamOptions != null && streamOptions.isObject()
                && optBool(streamOptions, "include_usage", false);
        Integer n = optInt(root, "n", 1, ChatOptions.MAX_CHOICES);
        ChatOptions options = new ChatOptions(
                toolChoice,
                optBool(root, "parallel_tool_calls", true),
                responseFormat(root.get("response_format")),
                optDouble(root, "temperature", 0, 2),
                optDouble(root, "top_p", 0, 1),
                0, 0,
                orZero(optDouble(root, "presence_penalty", -2, 2)),
                orZero(optDouble(root, "frequency_penalty", -2, 2)),
                1,
                maxTokens,
                stop(root.get("stop")),
                seed,
                n == null ? 1 : n,
                logprobs,
                topLogprobs == null ? 0 : topLogprobs);
        // Mistral's prefix: true lives on the assistant message itself (the encoder appends no </s> after it).
        return new ChatCompletionRequest(optString(root, "model"), new ChatRequest(messages, tools, false, options),
                optBool(root, "stream", false), includeUsage, optBool(root, "safe_prompt", false));
    }

    // ---- messages ----

    private List<ChatMessage> messages(JsonNode node) {
        if (node == null || node.isNull()) throw ApiError.invalidRequest("messages", "'messages' is required.");
        if (!node.isArray() || node.isEmpty()) throw ApiError.invalidRequest("messages", "'messages' must be a non-empty array.");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(message(node.get(i), "messages[" + i + "]"));
        return out;
    }

    private ChatMessage message(JsonNode m, String path) {
        if (!m.isObject()) throw ApiError.invalidRequest(path, path + " must be an object.");
        String role = m.path("role").asText(null);
        if (role == null) throw ApiError.invalidRequest(path + ".role", path + ".role is required.");
        if (role.equals("developer")) role = "system";
        switch (role) {
            case "system", "user", "assistant", "tool" -> { }
            default -> throw ApiError.invalidRequest(path + ".role",
                    "Unknown role '" + role + "' at " + path + ": expected system, developer, user, assistant or tool.");
        }
        List<ContentPart> content = content(m.get("content"), path + ".content", role.equals("user"));
        return switch (role) {
            case "system" -> new ChatMessage.System(text(content));
            case "user" -> new ChatMessage.User(content);
            case "assistant" -> new ChatMessage.Assistant(content.isEmpty() ? null : text(content),
                    toolCalls(m.get("tool_calls"), path + ".tool_calls"), m.path("prefix").asBoolean(false));
            default -> {
                String toolCallId = m.path("tool_call_id").asText(null);
                if (toolCallId == null || toolCallId.isEmpty()) {
                    throw ApiError.invalidRequest(path + ".tool_call_id", path + ": a tool message needs 'tool_call_id'.");
                }
                // the id as the client sent it: the prompt encoder keeps an OpenAI id's last 9 characters
                yield new ChatMessage.Tool(toolCallId, null, text(content));
            }
        };
    }

    /** The text parts of a message that may only hold text, joined. */
    private static String text(List<ContentPart> parts) {
        StringBuilder sb = new StringBuilder();
        for (ContentPart part : parts) sb.append(((ContentPart.Text) part).text());
        return sb.toString();
    }

    private List<ContentPart> content(JsonNode c, String path, boolean imagesAllowed) {
        if (c == null || c.isNull()) return List.of();
        if (c.isTextual()) return List.of(new ContentPart.Text(c.asText()));
        if (!c.isArray()) throw ApiError.invalidRequest(path, path + " must be a string or an array of content parts.");
        List<ContentPart> parts = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            JsonNode p = c.get(i);
            String pp = path + "[" + i + "]";
            String type = p.path("type").asText("");
            switch (type) {
                case "text" -> {
                    if (!p.path("text").isTextual()) throw ApiError.invalidRequest(pp + ".text", pp + ".text must be a string.");
                    parts.add(new ContentPart.Text(p.get("text").asText()));
                }
                case "image_url", "image" -> {
                    if (!imagesAllowed) throw ApiError.invalidRequest(pp, "Images are only allowed in user messages (" + pp + ").");
                    JsonNode img = type.equals("image") ? p.get("image") : p.get("image_url");
                    String url = img == null ? null : img.isTextual() ? img.asText() : img.path("url").asText(null);
                    if (url == null || url.isEmpty()) throw ApiError.invalidRequest(pp, pp + " has no image URL.");
                    RgbImage pixels = images.decode(url, pp);
                    parts.add(ContentPart.Image.of(pp, pixels));
                }
                default -> throw ApiError.invalidRequest(pp + ".type",
                        "Unsupported content part type '" + type + "' at " + pp + ": expected text or image_url.");
            }
        }
        return parts;
    }

    private List<ToolCall> toolCalls(JsonNode calls, String path) {
        if (calls == null || calls.isNull()) return List.of();
        if (!calls.isArray()) throw ApiError.invalidRequest(path, path + " must be an array.");
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String cp = path + "[" + i + "]";
            JsonNode fn = call.path("function");
            String name = fn.path("name").asText(null);
            if (name == null) throw ApiError.invalidRequest(cp + ".function.name", cp + ".function.name is required.");
            JsonNode args = fn.get("arguments");
            String arguments;
            if (args == null || args.isNull()) arguments = "{}";
            else if (args.isTextual()) arguments = args.asText();       // OpenAI: a JSON string
            else arguments = args.toString();                            // Mistral SDK: an object
            out.add(new ToolCall(call.path("id").asText(null), name, arguments));
        }
        return out;
    }

    // ---- tools ----

    private List<Tool> tools(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw ApiError.invalidRequest("tools", "'tools' must be an array.");
        List<Tool> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String p = "tools[" + i + "]";
            String type = t.path("type").asText("function");
            if (!type.equals("function")) throw ApiError.invalidRequest(p + ".type", "Only function tools are supported (" + p + " is '" + type + "').");
            JsonNode fn = t.path("function");
            String name = fn.path("name").asText(null);
            if (name == null || !name.matches("[a-zA-Z0-9_-]{1,64}")) {
                throw ApiError.invalidRequest(p + ".function.name",
                        p + ".function.name must match [a-zA-Z0-9_-]{1,64}, got " + (name == null ? "nothing" : "'" + name + "'") + ".");
            }
            if (!names.add(name)) throw ApiError.invalidRequest(p + ".function.name", "Tool '" + name + "' is defined twice.");
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiError.invalidRequest(p + ".function.parameters", p + ".function.parameters must be a JSON schema object.");
            }
            out.add(new Tool(name, fn.path("description").asText(""), params == null || params.isNull() ? null : params));
        }
        return out;
    }

    private ToolChoice toolChoice(JsonNode node, List<Tool> tools) {
        if (node == null || node.isNull()) {
            return tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
        }
        if (node.isTextual()) {
            ToolChoice choice = switch (node.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required", "any" -> ToolChoice.REQUIRED;
                default -> throw ApiError.invalidRequest("tool_choice",
                        "tool_choice must be auto, none, required, any or {type: function, function: {name}}; got '" + node.asText() + "'.");
            };
            if (choice == ToolChoice.REQUIRED && tools.isEmpty()) {
                throw ApiError.invalidRequest("tool_choice", "tool_choice '" + node.asText() + "' needs at least one tool in 'tools'.");
            }
            return choice;
        }
        String name = node.path("function").path("name").asText(null);
        if (name == null) throw ApiError.invalidRequest("tool_choice", "tool_choice object needs function.name.");
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw ApiError.invalidRequest("tool_choice", "tool_choice names the tool '" + name + "', which is not in 'tools'.");
        }
        return ToolChoice.named(name);
    }

    private ResponseFormat responseFormat(JsonNode node) {
        if (node == null || node.isNull()) return ResponseFormat.TEXT;
        String type = node.path("type").asText("");
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode js = node.path("json_schema");
                JsonNode schema = js.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiError.invalidRequest("response_format.json_schema.schema", "response_format json_schema needs a 'schema' object.");
                }
                yield new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, js.path("name").asText("response"), schema,
                        js.path("strict").asBoolean(false));
            }
            default -> throw ApiError.invalidRequest("response_format.type",
                    "response_format.type must be text, json_object or json_schema; got '" + type + "'.");
        };
    }

    private List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) return List.of();
        if (node.isTextual()) return node.asText().isEmpty() ? List.of() : List.of(node.asText());
        if (!node.isArray()) throw ApiError.invalidRequest("stop", "'stop' must be a string or an array of strings.");
        if (node.size() > MAX_STOP_SEQUENCES) throw ApiError.invalidRequest("stop", "At most " + MAX_STOP_SEQUENCES + " stop sequences are allowed.");
        List<String> out = new ArrayList<>();
        for (JsonNode s : node) {
            if (!s.isTextual()) throw ApiError.invalidRequest("stop", "'stop' entries must be strings.");
            if (!s.asText().isEmpty()) out.add(s.asText());
        }
        return out;
    }

    // ---- scalars ----

    private static String optString(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiError.invalidRequest(field, "'" + field + "' must be a string.");
        return v.asText();
    }

    private static boolean optBool(JsonNode root, String field, boolean dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw ApiError.invalidRequest(field, "'" + field + "' must be true or false.");
        return v.asBoolean();
    }

    private static Double optDouble(JsonNode root, String field, double min, double max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw ApiError.invalidRequest(field, "'" + field + "' must be a number.");
        double d = v.asDouble();
        if (!(d >= min && d <= max)) throw ApiError.invalidRequest(field, "'" + field + "' must be between " + min + " and " + max + ", got " + d + ".");
        return d;
    }

    private static Integer optInt(JsonNode root, String field, int min, int max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.invalidRequest(field, "'" + field + "' must be an integer.");
        int i = v.asInt();
        if (i < min || i > max) throw ApiError.invalidRequest(field, "'" + field + "' must be between " + min + " and " + max + ", got " + i + ".");
        return i;
    }

    private static Long optLong(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.invalidRequest(field, "'" + field + "' must be an integer.");
        return v.asLong();
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }
}
