package jmistral.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A text model opened by {@link ModelLoader}, with where its tokenizer lives. Closing it unmaps the
 * weights.
 */
public final class LoadedModel implements AutoCloseable {
    /** The checkpoint formats users have. */
    public enum Format { GGUF, HF, NATIVE }

    private final TextModel model;
    private final Format format;
    private final Path path;
    private final Map<String, Object> ggufMetadata;
    private final Path tekkenJson;

    LoadedModel(TextModel model, Format format, Path path, Map<String, Object> ggufMetadata, Path tekkenJson) {
        this.model = model;
        this.format = format;
        this.path = path;
        this.ggufMetadata = ggufMetadata;
        this.tekkenJson = tekkenJson;
    }

    /** The decoder (a {@link LanguageModel}). */
    public TextModel model() { return model; }

    public TextConfig config() { return model.config(); }

    public Format format() { return format; }

    /** The GGUF file or model folder given to the loader. */
    public Path path() { return path; }

    /** GGUF metadata (for Tekken.fromGgufMetadata) when the model is a GGUF file. */
    public Optional<Map<String, Object>> ggufMetadata() { return Optional.ofNullable(ggufMetadata); }

    /** tekken.json of a model folder (for Tekken.fromTekkenJson), when there is one. */
    public Optional<Path> tekkenJson() { return Optional.ofNullable(tekkenJson); }

    @Override
    public void close() { model.close(); }
}
