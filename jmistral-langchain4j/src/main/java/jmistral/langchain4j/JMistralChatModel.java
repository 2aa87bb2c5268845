package jmistral.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.exception.LangChain4jException;

/**
 * Mistral Small 3.2 in-process as a LangChain4j {@link ChatModel}: no server, the model runs in this JVM.
 * Tools and JSON schemas are enforced by constrained decoding, so every tool call names a real tool
 * with arguments valid for its schema, and a record returned from an AiServices method always parses.
 * <pre>
 * try (JMistralChatModel model = JMistralChatModel.builder().model("mistral-small-3.2.gguf").seed(42L).build()) {
 *     String answer = model.chat("Hello!");
 * }
 * </pre>
 * What of a {@link ChatRequest} is supported, and what is refused, is listed in the module's README.
 */
public final class JMistralChatModel extends InProcessModel implements ChatModel {

    private JMistralChatModel(ModelSettings settings) {
        super(settings);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        jmistral.engine.ChatResponse answer;
        try (var stream = settings.start(request)) {
            answer = stream.response();
        } catch (IllegalStateException e) {      // generation failed after it started
            throw new LangChain4jException("jmistral: " + e.getMessage(), e);
        }
        return ResponseMapping.map(answer, settings.modelName());
    }

    public static final class Builder extends JMistralModelBuilder<Builder> {
        private Builder() {}

        /** Opens the model (unless an engine was given): this takes as long as loading the weights. */
        public JMistralChatModel build() {
            return new JMistralChatModel(settings());
        }
    }
}
