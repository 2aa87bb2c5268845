package jmistral.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.List;
import java.util.Set;

/**
 * Mistral Small 3.2 in-process as a LangChain4j {@link StreamingChatModel}: text token by token,
 * tool-call arguments fragment by fragment, then the complete response (equal to
 * {@link JMistralChatModel}'s for the same request and seed). Cancel with the
 * {@code StreamingHandle} of any partial callback's context; a handler that throws cancels too.
 * Requests the model cannot take reach the handler's {@code onError}.
 */
public final class JMistralStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private final ModelSettings settings;

    private JMistralStreamingChatModel(ModelSettings settings) {
        this.settings = settings;
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

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return settings.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return settings.listeners();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return ModelSettings.CAPABILITIES;
    }

    /** Closes the engine if this model opened it (not one given with {@code .engine(...)}). */
    @Override
    public void close() {
        settings.close();
    }

    public static final class Builder extends JMistralModelBuilder<Builder> {
        private Builder() {}

        /** Opens the model (unless an engine was given): this takes as long as loading the weights. */
        public JMistralStreamingChatModel build() {
            return new JMistralStreamingChatModel(settings());
        }
    }
}
