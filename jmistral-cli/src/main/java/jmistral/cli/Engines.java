package jmistral.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;
import jmistral.hub.FileDownloader;
import jmistral.hub.ModelPuller;
import jmistral.hub.ModelResolver;
import jmistral.hub.ProgressBar;
import jmistral.hub.ProgressListener;
import jmistral.hub.ResolvedModel;

/**
 * Opens the engine for the commands that run the model (run, chat, generate, bench): -m resolved as a
 * file, folder or Hub repo id (with notes and a progress bar on stderr), one request at a time, the
 * --ctx / --kv-type / --threads / --mmproj options.
 */
final class Engines {
    private Engines() {
    }

    /** Resolves -m (pulling a Hub model on first use) and opens it; notes (first download of the default model) on {@code err}. */
    static Engine open(ModelOptions o, PrintWriter err, Path mmproj) {
        if (o.threads != null && o.threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + o.threads);
        ResolvedModel resolved = DefaultModelNotes.resolve(resolver(err), o.model, HubSettings.config.get(), err);
        return Engine.open(resolved, EngineOptions.of(o.model).withContextTokens(o.ctx).withKvCacheType(o.kvType)
                .withThreads(o.threads == null ? 0 : o.threads).withMmproj(mmproj).withDraftTokens(o.draftTokens)
                .withMaxParallel(1).withMaxQueue(1).withPrefixCacheEntries(4));   // a chat's earlier turns stay cached
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
}
