package jmistral.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import jmistral.engine.ChatStream;
import jmistral.engine.Engine;
import jmistral.engine.EngineBusyException;

import java.util.List;
import java.util.Set;

/**
 * What the blocking and the streaming model share: the engine, whether they opened it (and so close
 * it), the name reported in responses, the request defaults, the seed and the listeners. {@link #start} turns a
 * LangChain4j request into a running engine request; a request the engine refuses is LangChain4j's
 * {@link InvalidRequestException} with the engine's message.
 */
record ModelSettings(Engine engine, boolean ownsEngine, String modelName, ChatRequestParameters defaults, Long seed,
                     List<ChatModelListener> listeners) {

    /** JSON schemas (records and POJOs in AiServices) and tools are enforced by constrained decoding. */
    static final Set<Capability> CAPABILITIES = Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);

    ChatStream start(ChatRequest request) {
        jmistral.chat.ChatRequest mapped = RequestMapping.map(request, seed);
        try {
            return engine.chat(mapped);
        } catch (jmistral.engine.InvalidRequestException e) {      // also a ContextLengthException
            boolean named = e.param() == null || e.getMessage().startsWith(e.param());
            throw new InvalidRequestException((named ? "" : e.param() + ": ") + e.getMessage(), e);
        } catch (EngineBusyException e) {
            throw new RateLimitException(e.getMessage());
        }
    }

    void close() {
        if (ownsEngine) engine.close();
    }
}
