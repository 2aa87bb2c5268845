package jmistral.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ChatValidationException;
import jmistral.chat.ResponseFormat;
import jmistral.chat.ToolChoice;

/**
 * A LangChain4j {@link dev.langchain4j.model.chat.request.ChatRequest} (its parameters already merged
 * with the model's defaults, as {@code ChatModel.chat} does) as the chat package's {@link ChatRequest}:
 * messages and tools ({@link MessageMapping}), tool choice, response format, sampling and stop
 * sequences. The seed is the model's own (LangChain4j's parameters have none).
 */
final class RequestMapping {
    private RequestMapping() {}

    static ChatRequest map(dev.langchain4j.model.chat.request.ChatRequest request, Long seed) {
        ChatRequestParameters p = request.parameters();
        var tools = MessageMapping.tools(p.toolSpecifications());
        ChatOptions options;
        try {
            options = ChatOptions.DEFAULTS
                    .withToolChoice(toolChoice(p, !tools.isEmpty()))
                    .withResponseFormat(responseFormat(p))
                    .withTemperature(p.temperature())
                    .withTopP(p.topP())
                    .withTopK(p.topK() == null ? 0 : p.topK())
                    .withFrequencyPenalty(p.frequencyPenalty() == null ? 0 : p.frequencyPenalty())
                    .withPresencePenalty(p.presencePenalty() == null ? 0 : p.presencePenalty())
                    .withMaxTokens(p.maxOutputTokens())
                    .withStop(p.stopSequences())
                    .withSeed(seed);
        } catch (ChatValidationException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
        return new ChatRequest(MessageMapping.messages(request.messages()), tools, false, options);
    }

    /** AUTO: the model decides, and a call it starts is held to the tool's schema; REQUIRED: it must call one. */
    private static ToolChoice toolChoice(ChatRequestParameters p, boolean hasTools) {
        if (p.toolChoice() == null) return null;     // the engine's default: AUTO with tools, else NONE
        return switch (p.toolChoice()) {
            case AUTO -> ToolChoice.AUTO;
            case NONE -> ToolChoice.NONE;
            case REQUIRED -> {
                if (!hasTools) throw new InvalidRequestException("ToolChoice.REQUIRED needs at least one tool specification");
                yield ToolChoice.REQUIRED;
            }
        };
    }

    /** JSON with a schema is enforced by constrained decoding; JSON without one is any JSON object. */
    private static ResponseFormat responseFormat(ChatRequestParameters p) {
        var format = p.responseFormat();
        if (format == null || format.type() == ResponseFormatType.TEXT) return ResponseFormat.TEXT;
        if (format.jsonSchema() == null) return ResponseFormat.JSON_OBJECT;
        var root = format.jsonSchema().rootElement();
        if (root == null) throw new UnsupportedFeatureException("the response format's JSON schema has no root element");
        return ResponseFormat.jsonSchema(format.jsonSchema().name(), SchemaJson.toJson(root));
    }
}
