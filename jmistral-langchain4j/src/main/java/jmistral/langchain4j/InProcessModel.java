package jmistral.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.List;
import java.util.Set;

/**
 * What the blocking and the streaming model share: their settings (engine, defaults, listeners) and the
 * LangChain4j methods answered from them. {@link dev.langchain4j.model.chat.ChatModel} and {@link dev.langchain4j.model.chat.StreamingChatModel} declare these
 * methods with the same signatures, so one implementation serves both.
 */
abstract class InProcessModel implements AutoCloseable {
    final ModelSettings settings;

    InProcessModel(ModelSettings settings) {
        this.settings = settings;
    }

    public ChatRequestParameters defaultRequestParameters() {
        return settings.defaults();
    }

    public List<ChatModelListener> listeners() {
        return settings.listeners();
    }

    public Set<Capability> supportedCapabilities() {
        return ModelSettings.CAPABILITIES;
    }

    /** Closes the engine if this model opened it (not one given with {@code .engine(...)}). */
    @Override
    public void close() {
        settings.close();
    }
}
