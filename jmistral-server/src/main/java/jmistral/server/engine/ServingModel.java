package jmistral.server.engine;

import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;
import jmistral.chat.SystemPromptTemplate;
import jmistral.generate.LoopGuard;
import jmistral.generate.Scheduler;
import jmistral.generate.SchedulerConfig;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.model.vision.VisionModel;
import jmistral.tokenizer.ImageConfig;
import jmistral.tokenizer.Tekken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.LocalDate;

/**
 * Everything a loaded model needs to answer chat requests: weights, tokenizer, prompt encoder,
 * output constraints, KV cache and the continuous-batching scheduler. Built once at startup.
 */
final class ServingModel implements AutoCloseable {
    final LoadedModel model;
    final Tekken tekken;
    final PromptEncoder encoder;
    final ChatRequestMapper mapper;
    final OutputConstraints constraints;
    final TokenText tokenText;
    final KvCache kv;
    final Scheduler scheduler;
    final VisionModel vision;          // null without --mmproj
    final ImagePipeline images;        // null without --mmproj

    private ServingModel(LoadedModel model, Tekken tekken, String systemPrompt, EngineOptions o, VisionModel vision) {
        this.model = model;
        this.tekken = tekken;
        this.vision = vision;
        ImageConfig imageConfig = tekken.imageConfig() != null ? tekken.imageConfig() : ImageConfig.MISTRAL_SMALL_3;
        this.images = vision == null ? null : new ImagePipeline(vision, imageConfig, ImageTokenIds.of(tekken));
        this.encoder = new PromptEncoder(tekken);
        this.mapper = new ChatRequestMapper(o.allowRemoteImages(), vision != null, systemPrompt);
        this.constraints = new OutputConstraints(tekken);
        this.tokenText = new TokenText(tekken);
        int kvTokens = Math.min(o.kvTokens(), model.config().maxSeqLen() * o.parallel());
        this.kv = model.model().createCache(kvTokens, KvCacheType.F16);
        this.scheduler = new Scheduler(model.model(), kv, SchedulerConfig.defaults()
                .withMaxParallel(o.parallel()).withMaxQueue(o.maxQueue()).withLoopGuard(LoopGuard.Config.DEFAULT));
    }

    static ServingModel load(EngineOptions o) {
        LoadedModel model = ModelLoader.load(o.model());
        try {
            Tekken tekken = model.ggufMetadata().map(Tekken::fromGgufMetadata)
                    .or(() -> model.tekkenJson().map(Tekken::fromTekkenJson))
                    .orElseThrow(() -> new IllegalArgumentException(o.model() + " has no tokenizer: a GGUF file carries it, "
                            + "a model folder needs tekken.json"));
            if (tekken.vocabSize() != model.config().vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tekken.vocabSize() + " tokens but the model "
                        + model.config().vocabSize());
            }
            VisionModel vision = o.mmproj() == null ? null : VisionModel.open(o.mmproj());
            try {
                if (vision != null && vision.config().projectionDim() != model.config().dim()) {
                    throw new IllegalArgumentException(o.mmproj() + " projects images to " + vision.config().projectionDim()
                            + " values but the text model's width is " + model.config().dim() + ": not this model's mmproj");
                }
                return new ServingModel(model, tekken, systemPrompt(o), o, vision);
            } catch (RuntimeException e) {
                if (vision != null) vision.close();
                throw e;
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The model's SYSTEM_PROMPT.txt rendered with its name and today's date, or null. */
    private static String systemPrompt(EngineOptions o) {
        if (o.systemPrompt() == null) return null;
        try {
            return new SystemPromptTemplate(Files.readString(o.systemPrompt())).render(o.modelId(), LocalDate.now());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + o.systemPrompt(), e);
        }
    }

    OutputParser newParser() {
        return new OutputParser(tekken);
    }

    @Override
    public void close() {
        scheduler.close();
        kv.close();
        if (vision != null) vision.close();
        model.close();
    }
}
