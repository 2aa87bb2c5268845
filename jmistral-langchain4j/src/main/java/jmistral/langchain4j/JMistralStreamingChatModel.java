package jmistral.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * Mistral Small 3.2 in-process as a LangChain4j {@link StreamingChatModel}: text token by token,
 * tool-call arguments fragment by fragment, then the complete response (equal to
 * {@link JMistralChatModel}'s for the same request and seed). Cancel with the
 * {@code StreamingHandle} of any partial callback's context; a handler that throws cancels too.
 * Requests the model cannot take reach the handler's {@code onError}.
 */
public final class JMistralStreamingChatModel extends InProcessModel implements StreamingChatModel {

    private JMistralStreamingChatModel(ModelSettings settings) {
        super(settings);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        jmistral.engine.ChatStream stream;
        try {
            stream = settings.start(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        new StreamingAnswer(stream, handler, settings.modelName()).start();
    }

    public static final class Builder extends JMistralModelBuilder<Builder> {
        private Builder() {}

        /** Opens the model (unless an engine was given): this takes as long as loading the weights. */
        public JMistralStreamingChatModel build() {
            return new JMistralStreamingChatModel(settings());
        }
    }
}
