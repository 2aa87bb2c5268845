package jmistral.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A parsed and validated {@code POST /v1/chat/completions} body (OpenAI and Mistral dialects).
 * Fields the references accept but this model has no use for are ignored by the parser.
 */
public record ChatCompletionParams(
        String model,
        List<Message> messages,
        List<Tool> tools,
        ToolChoice toolChoice,
        boolean parallelToolCalls,
        ResponseFormat responseFormat,
        Double temperature,          // null = model default (0.15)
        Double topP,                 // null = 1
        Integer maxTokens,           // max_tokens / max_completion_tokens; null = up to the context
        List<String> stop,
        Long seed,                   // seed / random_seed
        int n,
        double presencePenalty,
        double frequencyPenalty,
        boolean logprobs,
        int topLogprobs,
        boolean stream,
        boolean includeUsage,        // stream_options.include_usage
        boolean safePrompt) {

    /** One chat message. Role is one of system, user, assistant, tool ("developer" is read as system). */
    public record Message(String role, List<ContentPart> content, List<ToolCall> toolCalls,
                          String toolCallId, boolean prefix) {}

    /** A part of a message's content. */
    public sealed interface ContentPart permits Text, ImageUrl {}

    public record Text(String text) implements ContentPart {}

    /** An image given as a data URL, a bare base64 string, or an http(s) URL. */
    public record ImageUrl(String url) implements ContentPart {}

    /** A call the assistant made earlier in the conversation; arguments as JSON text. */
    public record ToolCall(String id, String name, String arguments) {}

    /** A function the model may call; parameters is a JSON schema (may be null). */
    public record Tool(String name, String description, JsonNode parameters) {}

    public enum ToolChoiceMode { AUTO, NONE, REQUIRED, NAMED }

    /** tool_choice; name is set for NAMED. */
    public record ToolChoice(ToolChoiceMode mode, String name) {}

    public enum ResponseFormatType { TEXT, JSON_OBJECT, JSON_SCHEMA }

    /** response_format; schema and name are set for JSON_SCHEMA. */
    public record ResponseFormat(ResponseFormatType type, String name, JsonNode schema, boolean strict) {
        public static final ResponseFormat TEXT_FORMAT = new ResponseFormat(ResponseFormatType.TEXT, null, null, false);
    }
}
