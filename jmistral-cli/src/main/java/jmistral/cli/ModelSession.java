package jmistral.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import jmistral.hub.FileDownloader;
import jmistral.hub.ModelPuller;
import jmistral.hub.ModelResolver;
import jmistral.hub.ProgressBar;
import jmistral.hub.ProgressListener;
import jmistral.hub.ResolvedModel;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.vision.VisionModel;
import jmistral.tensor.ComputePool;
import jmistral.tokenizer.Tekken;

/**
 * A loaded model and, where its files have one, its tokenizer: what run, chat, generate and bench use.
 * The vision tower is opened only when a command first needs it ({@link #vision}).
 */
final class ModelSession implements AutoCloseable {

    final LoadedModel loaded;
    /** Where -m pointed: the files beside the model (mmproj, SYSTEM_PROMPT.txt, Hub repo). */
    final ResolvedModel resolved;
    private final Tekken tekken;       // null when the files hold no tokenizer
    private VisionModel vision;        // opened on first use

    private ModelSession(LoadedModel loaded, ResolvedModel resolved, Tekken tekken) {
        this.loaded = loaded;
        this.resolved = resolved;
        this.tekken = tekken;
    }

    /** Resolves -m (file, folder or Hub repo id), loads the model and its tokenizer. */
    static ModelSession open(ModelOptions o) {
        return open(o, new PrintWriter(System.err, true));
    }

    /** As {@link #open(ModelOptions)}, with notes (first download of the default model) on {@code err}. */
    static ModelSession open(ModelOptions o, PrintWriter err) {
        if (o.threads != null) {
            if (o.threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + o.threads);
            ComputePool.setThreads(o.threads);
        }
        ResolvedModel resolved = DefaultModelNotes.resolve(resolver(err), o.model, HubSettings.config.get(), err);
        LoadedModel loaded = ModelLoader.load(resolved.model());
        try {
            return new ModelSession(loaded, resolved, findTokenizer(loaded, resolved));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** ModelResolver.fromEnvironment(), but with the hub settings tests can replace. */
    static ModelResolver resolver(PrintWriter err) {
        boolean bar = ProgressBar.stderrIsTerminal();
        return new ModelResolver(new ModelPuller(HubSettings.config.get(), FileDownloader.Options.defaults(),
                name -> bar ? new ProgressBar(System.err) : ProgressListener.NONE, note -> {
                    err.println(note);
                    err.flush();
                }));
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

    /**
     * The vision tower: {@code mmproj} when given, else the model's own (mmproj GGUF beside it, or the
     * vision weights of its folder); a clear error saying to pass --mmproj when there is none.
     */
    VisionModel vision(Path mmproj) {
        if (vision == null) vision = VisionWeightsFinder.open(resolved, mmproj, loaded.config().dim());
        return vision;
    }

    @Override
    public void close() {
        try {
            if (vision != null) vision.close();
        } finally {
            loaded.close();
        }
    }
}
