package jmistral.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code POST /v1/responses} body (OpenAI's Responses API) read into the equivalent chat-completions
 * body, so that it is validated, encoded and run exactly as {@code /v1/chat/completions} would: one path.
 * What maps:
 * <ul>
 *   <li>{@code input}: a string (one user message) or items: messages (roles user, assistant, system,
 *       developer; content a string or {@code input_text} / {@code output_text} / {@code input_image} parts),
 *       {@code function_call} items (an assistant message's tool calls) and {@code function_call_output}
 *       items (tool messages);</li>
 *   <li>{@code instructions} (a system message put first), {@code tools} (function tools), {@code tool_choice},
 *       {@code parallel_tool_calls}, {@code text.format} (text, json_object, json_schema: constrained),
 *       {@code max_output_tokens}, {@code temperature}, {@code top_p}.</li>
 * </ul>
 * The server keeps no responses ({@code store} is taken as false): {@code previous_response_id},
 * {@code conversation} and {@code background} are refused with a 400 saying so, as are item and tool types
 * this model cannot serve (files, built-in tools, reasoning items). Other fields are ignored.
 *
 * @param chatBody  the equivalent chat-completions body (never streaming: streaming is the endpoint's)
 * @param stream    whether events are streamed
 * @param echo      the request's fields a response object repeats (instructions, tools, text, ...)
 */
record ResponsesRequest(ObjectNode chatBody, boolean stream, Echo echo) {

    /** What the response object repeats from the request. */
    record Echo(String model, JsonNode instructions, JsonNode tools, JsonNode toolChoice, JsonNode textFormat,
                JsonNode maxOutputTokens, JsonNode temperature, JsonNode topP, boolean parallelToolCalls,
                JsonNode metadata) {}

    static ResponsesRequest parse(ObjectMapper json, byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.invalidRequest(null, "The request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw ApiError.invalidRequest(null, "The request body must be a JSON object.");
        refuseState(root);

        ObjectNode chat = json.createObjectNode();
        copy(root, "model", chat, "model");
        ArrayNode messages = chat.putArray("messages");
        JsonNode instructions = root.get("instructions");
        if (present(instructions)) {
            if (!instructions.isTextual()) throw ApiError.invalidRequest("instructions", "'instructions' must be a string.");
            messages.addObject().put("role", "system").put("content", instructions.asText());
        }
        input(root.get("input"), messages);
        JsonNode tools = root.get("tools");
        if (present(tools)) chat.set("tools", tools(tools));
        JsonNode toolChoice = root.get("tool_choice");
        if (present(toolChoice)) chat.set("tool_choice", toolChoice(toolChoice));
        copy(root, "parallel_tool_calls", chat, "parallel_tool_calls");
        JsonNode format = root.path("text").get("format");
        if (present(format)) {
            JsonNode responseFormat = responseFormat(format);
            if (responseFormat != null) chat.set("response_format", responseFormat);
        }
        copy(root, "max_output_tokens", chat, "max_completion_tokens");
        copy(root, "temperature", chat, "temperature");
        copy(root, "top_p", chat, "top_p");

        JsonNode stream = root.get("stream");
        if (present(stream) && !stream.isBoolean()) throw ApiError.invalidRequest("stream", "'stream' must be true or false.");
        JsonNode parallel = root.get("parallel_tool_calls");
        Echo echo = new Echo(root.path("model").asText(null), instructions, tools, toolChoice,
                present(format) ? format : json.createObjectNode().put("type", "text"), root.get("max_output_tokens"),
                root.get("temperature"), root.get("top_p"), parallel == null || !parallel.isBoolean() || parallel.asBoolean(),
                root.get("metadata"));
        return new ResponsesRequest(chat, present(stream) && stream.asBoolean(), echo);
    }

    /** This server keeps nothing between requests: a request that needs stored state is refused. */
    private static void refuseState(JsonNode root) {
        if (present(root.get("previous_response_id"))) {
            throw ApiError.invalidRequest("previous_response_id", "previous_response_id is not supported: this server "
                    + "is stateless and stores no responses (as with store: false). Send the whole conversation in "
                    + "'input' (earlier messages, function_call and function_call_output items).");
        }
        if (present(root.get("conversation"))) {
            throw ApiError.invalidRequest("conversation", "'conversation' is not supported: this server stores no "
                    + "conversations. Send the whole conversation in 'input'.");
        }
        if (root.path("background").asBoolean(false)) {
            throw ApiError.invalidRequest("background", "background: true is not supported (responses are not stored); "
                    + "use stream: true for long answers.");
        }
        if (present(root.get("prompt"))) {
            throw ApiError.invalidRequest("prompt", "'prompt' (stored prompt templates) is not supported; send "
                    + "'instructions' and 'input'.");
        }
    }

    // ---- input ----

    private static void input(JsonNode input, ArrayNode messages) {
        if (!present(input)) throw ApiError.invalidRequest("input", "'input' is required.");
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiError.invalidRequest("input", "'input' must be a string or a non-empty array of items.");
        }
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String path = "input[" + i + "]";
            if (!item.isObject()) throw ApiError.invalidRequest(path, path + " must be an object.");
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> messages.add(message(item, path));
                case "function_call" -> functionCall(item, path, messages);
                case "function_call_output" -> functionCallOutput(item, path, messages);
                default -> throw ApiError.invalidRequest(path + ".type", "Unsupported input item type '" + type + "' at "
                        + path + ": expected message, function_call or function_call_output"
                        + (type.equals("item_reference") ? " (stored items cannot be referenced: this server keeps none)" : "") + ".");
            }
        }
    }

    private static ObjectNode message(JsonNode item, String path) {
        String role = item.path("role").asText("");
        switch (role) {
            case "user", "assistant", "system", "developer" -> { }
            default -> throw ApiError.invalidRequest(path + ".role", "Unknown role '" + role + "' at " + path
                    + ": expected user, assistant, system or developer.");
        }
        ObjectNode m = JsonNodeFactory.instance.objectNode().put("role", role);
        JsonNode content = item.get("content");
        if (content == null || content.isNull()) throw ApiError.invalidRequest(path + ".content", path + ".content is required.");
        if (content.isTextual()) {
            m.put("content", content.asText());
            return m;
        }
        if (!content.isArray()) throw ApiError.invalidRequest(path + ".content", path + ".content must be a string or an array of parts.");
        ArrayNode parts = m.putArray("content");
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String pp = path + ".content[" + j + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "input_text", "output_text", "text" -> {
                    if (!part.path("text").isTextual()) throw ApiError.invalidRequest(pp + ".text", pp + ".text must be a string.");
                    parts.addObject().put("type", "text").put("text", part.get("text").asText());
                }
                case "refusal" -> parts.addObject().put("type", "text").put("text", part.path("refusal").asText(""));
                case "input_image" -> {
                    if (present(part.get("file_id"))) {
                        throw ApiError.invalidRequest(pp + ".file_id", "Images by file_id are not supported (" + pp
                                + "): this server has no file store; send image_url as a data URL.");
                    }
                    JsonNode url = part.get("image_url");
                    if (url == null || !url.isTextual() || url.asText().isEmpty()) {
                        throw ApiError.invalidRequest(pp + ".image_url", pp + ".image_url must be a data URL or http(s) URL.");
                    }
                    parts.addObject().put("type", "image_url").putObject("image_url").put("url", url.asText());
                }
                default -> throw ApiError.invalidRequest(pp + ".type", "Unsupported content part type '" + type + "' at "
                        + pp + ": expected input_text, output_text or input_image.");
            }
        }
        return m;
    }

    /** A function_call item: a tool call of the assistant, joined to the assistant message just before it. */
    private static void functionCall(JsonNode item, String path, ArrayNode messages) {
        String callId = requiredText(item, "call_id", path), name = requiredText(item, "name", path);
        JsonNode args = item.get("arguments");
        String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString();
        ObjectNode assistant;
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.path("role").asText().equals("assistant")) {
            assistant = (ObjectNode) last;
        } else {
            assistant = messages.addObject().put("role", "assistant");
            assistant.putNull("content");
        }
        ArrayNode calls = assistant.has("tool_calls") ? (ArrayNode) assistant.get("tool_calls") : assistant.putArray("tool_calls");
        ObjectNode call = calls.addObject().put("id", callId).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
    }

    private static void functionCallOutput(JsonNode item, String path, ArrayNode messages) {
        String callId = requiredText(item, "call_id", path);
        JsonNode output = item.get("output");
        String text;
        if (output == null || output.isNull()) {
            throw ApiError.invalidRequest(path + ".output", path + ".output is required.");
        } else if (output.isTextual()) {
            text = output.asText();
        } else if (output.isArray()) {                    // content parts: their texts, in order
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : output) {
                if (!part.path("text").isTextual()) {
                    throw ApiError.invalidRequest(path + ".output", path + ".output parts must be input_text parts.");
                }
                sb.append(part.get("text").asText());
            }
            text = sb.toString();
        } else {
            text = output.toString();
        }
        messages.addObject().put("role", "tool").put("tool_call_id", callId).put("content", text);
    }

    // ---- tools, formats ----

    private static ArrayNode tools(JsonNode tools) {
        if (!tools.isArray()) throw ApiError.invalidRequest("tools", "'tools' must be an array.");
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String path = "tools[" + i + "]";
            String type = t.path("type").asText("");
            if (!type.equals("function")) {
                throw ApiError.invalidRequest(path + ".type", "Only function tools are supported (" + path + " is '" + type
                        + "'): this server runs no built-in tools.");
            }
            ObjectNode fn = out.addObject().put("type", "function").putObject("function");
            if (t.has("name")) fn.set("name", t.get("name"));
            if (t.has("description")) fn.set("description", t.get("description"));
            if (t.has("parameters")) fn.set("parameters", t.get("parameters"));
        }
        return out;
    }

    private static JsonNode toolChoice(JsonNode choice) {
        if (choice.isTextual()) return choice;                       // auto, none, required
        String type = choice.path("type").asText("");
        if (type.equals("function") && choice.path("name").isTextual()) {
            ObjectNode named = JsonNodeFactory.instance.objectNode().put("type", "function");
            named.putObject("function").put("name", choice.get("name").asText());
            return named;
        }
        throw ApiError.invalidRequest("tool_choice", "tool_choice must be auto, none, required or {\"type\": \"function\", "
                + "\"name\": ...}" + (type.isEmpty() ? "" : "; '" + type + "' is not supported") + ".");
    }

    /** text.format to response_format; null for plain text. */
    private static JsonNode responseFormat(JsonNode format) {
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonNodeFactory.instance.objectNode().put("type", "json_object");
            case "json_schema" -> {
                JsonNode schema = format.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiError.invalidRequest("text.format.schema", "text.format json_schema needs a 'schema' object.");
                }
                ObjectNode rf = JsonNodeFactory.instance.objectNode().put("type", "json_schema");
                ObjectNode js = rf.putObject("json_schema");
                js.put("name", format.path("name").asText("response"));
                js.set("schema", schema);
                js.put("strict", format.path("strict").asBoolean(false));
                yield rf;
            }
            default -> throw ApiError.invalidRequest("text.format.type",
                    "text.format.type must be text, json_object or json_schema; got '" + type + "'.");
        };
    }

    // ---- helpers ----

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode v = from.get(field);
        if (present(v)) to.set(as, v);
    }

    private static String requiredText(JsonNode item, String field, String path) {
        JsonNode v = item.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ApiError.invalidRequest(path + "." + field, path + "." + field + " is required (a string).");
        }
        return v.asText();
    }
}
