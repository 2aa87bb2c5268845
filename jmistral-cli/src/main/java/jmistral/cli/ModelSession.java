package jmistral.cli;

import java.util.Map;
import java.util.Optional;
import jmistral.hub.ModelResolver;
import jmistral.hub.ResolvedModel;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.tensor.ComputePool;
import jmistral.tokenizer.Tekken;

/** A loaded model and, where its files have one, its tokenizer: what run, chat, generate and bench use. */
final class ModelSession implements AutoCloseable {

    final LoadedModel loaded;
    private final Tekken tekken;       // null when the files hold no tokenizer

    private ModelSession(LoadedModel loaded, Tekken tekken) {
        this.loaded = loaded;
        this.tekken = tekken;
    }

    /** Resolves -m (file, folder or Hub repo id), loads the model and its tokenizer. */
    static ModelSession open(ModelOptions o) {
        if (o.threads != null) {
            if (o.threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + o.threads);
            ComputePool.setThreads(o.threads);
        }
        ResolvedModel resolved = ModelResolver.fromEnvironment().resolve(o.model);
        LoadedModel loaded = ModelLoader.load(resolved.model());
        try {
            return new ModelSession(loaded, findTokenizer(loaded, resolved));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    private static Tekken findTokenizer(LoadedModel loaded, ResolvedModel resolved) {
        Optional<Map<String, Object>> gguf = loaded.ggufMetadata();
        if (gguf.isPresent() && gguf.get().containsKey("tokenizer.ggml.tokens")) return Tekken.fromGgufMetadata(gguf.get());
        return loaded.tekkenJson().or(resolved::tekkenJson).map(Tekken::fromTekkenJson).orElse(null);
    }

    /** The tokenizer, or a clear error for commands that need text. */
    Tekken tokenizer() {
        if (tekken == null) throw new IllegalArgumentException(loaded.path() + " has no tokenizer (no GGUF tokenizer "
                + "metadata, no tekken.json); use 'jmistral generate --prompt-ids' or add tekken.json to the folder");
        return tekken;
    }

    Optional<Tekken> optionalTokenizer() { return Optional.ofNullable(tekken); }

    @Override
    public void close() { loaded.close(); }
}
