package jmistral.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link JMistralChatModel} and {@link JMistralStreamingChatModel} are built from: the model to
 * open (or an engine already open, so several LangChain4j models share one model in memory) and the
 * defaults of every request (a request's own parameters override them).
 *
 * @param <B> the concrete builder, so the setters chain
 */
public abstract class JMistralModelBuilder<B extends JMistralModelBuilder<B>> {
    private String model;
    private String mmproj;
    private Integer contextLength;
    private Integer threads;
    private Engine engine;
    private String modelName;
    private Double temperature;
    private Double topP;
    private Integer maxTokens;
    private Long seed;
    private List<ChatModelListener> listeners = List.of();

    JMistralModelBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() { return (B) this; }

    /** A GGUF file, a model folder (Hugging Face or Mistral native) or a Hub repo id {@code ORG/NAME[:QUANT]}. */
    public B model(String model) { this.model = model; return self(); }

    /** The vision projector (mmproj GGUF) when it is not beside the model; needed for images and PDFs. */
    public B mmproj(String mmproj) { this.mmproj = mmproj; return self(); }

    /** Context (KV cache) size in tokens; default: the engine's. */
    public B contextLength(Integer tokens) { this.contextLength = tokens; return self(); }

    /** Compute threads; default: the engine's (all cores). */
    public B threads(Integer threads) { this.threads = threads; return self(); }

    /** An engine already open (instead of {@link #model}); the LangChain4j model then does not close it. */
    public B engine(Engine engine) { this.engine = engine; return self(); }

    /** The model name reported in responses; default: what {@link #model} names. */
    public B modelName(String modelName) { this.modelName = modelName; return self(); }

    /** Sampling temperature (0 = greedy); default: the model card's 0.15. */
    public B temperature(Double temperature) { this.temperature = temperature; return self(); }

    /** Nucleus sampling; default 1 (off). */
    public B topP(Double topP) { this.topP = topP; return self(); }

    /** Answer tokens at most; default: what the context has left. */
    public B maxTokens(Integer maxTokens) { this.maxTokens = maxTokens; return self(); }

    /** Sampling seed: the same request and seed give the same answer, blocking or streaming. */
    public B seed(Long seed) { this.seed = seed; return self(); }

    /** Observers of every request, response and error (LangChain4j's observability hook). */
    public B listeners(List<ChatModelListener> listeners) { this.listeners = List.copyOf(listeners); return self(); }

    /** The engine (opened now unless one was given), the request defaults and the seed. */
    ModelSettings settings() {
        if ((model == null) == (engine == null)) {
            throw new IllegalArgumentException("give the builder either .model(GGUF file, folder or ORG/NAME) or .engine(an open engine)");
        }
        ChatRequestParameters defaults = DefaultChatRequestParameters.builder()
                .temperature(temperature).topP(topP).maxOutputTokens(maxTokens).build();
        if (engine != null) {
            return new ModelSettings(engine, false, Objects.requireNonNullElse(modelName, engine.modelId()), defaults, seed, listeners);
        }
        EngineOptions options = EngineOptions.of(model).withModelId(modelName);
        if (mmproj != null) options = options.withMmproj(Path.of(mmproj));
        if (contextLength != null) options = options.withContextTokens(contextLength);
        if (threads != null) options = options.withThreads(threads);
        Engine opened = Engine.open(options);
        return new ModelSettings(opened, true, Objects.requireNonNullElse(modelName, opened.modelId()), defaults, seed, listeners);
    }
}
