package jmistral.cli;

import jmistral.hub.DefaultModels;
import jmistral.hub.FileDownloader;
import jmistral.hub.ModelPuller;
import jmistral.hub.ModelResolver;
import jmistral.hub.ModelSpec;
import jmistral.hub.ProgressBar;
import jmistral.hub.ProgressListener;
import jmistral.hub.PulledModel;
import jmistral.hub.ResolvedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code jmistral pull REPO[:QUANT]}: download a model from Hugging Face into the standard cache. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a model from Hugging Face into the local cache ($HF_HOME/hub, shared with the Python tools).",
                "GGUF repos: the QUANT file (default Q4_K_M) and its mmproj; safetensors repos: :hf (default) or :native."})
final class PullCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REPO[:QUANT]",
            description = "Hugging Face repo, optionally with a quant (default: ${DEFAULT-VALUE})")
    String model = DefaultModels.DEFAULT_SPEC;

    @Option(names = "--revision", paramLabel = "R", description = "branch, tag or commit (default: main)")
    String revision;

    @Option(names = "--progress", negatable = true,
            description = "show a progress bar (default: when stderr is a terminal)")
    Boolean progress;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "8",
            description = "parallel connections for files of 64 MB or more (default: ${DEFAULT-VALUE})")
    int connections;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean bar = progress != null ? progress : ProgressBar.stderrIsTerminal();
        FileDownloader.Options d = FileDownloader.Options.defaults();
        var options = new FileDownloader.Options(d.maxAttempts(), d.retryDelayMillis(), d.parallelThreshold(),
                Math.max(1, connections), d.stallTimeoutMillis());
        ModelPuller puller = new ModelPuller(HubSettings.config.get(), options,
                name -> bar ? new ProgressBar(System.err) : ProgressListener.NONE, note -> {
                    err.println(note);
                    err.flush();
                });
        PulledModel pulled = puller.pull(ModelSpec.parse(model), revision);
        ResolvedModel r = ModelResolver.fromPull(pulled);
        out.printf("%s %s (commit %s): %d file(s), %s, %s downloaded%n", pulled.repo(), pulled.selection().quant(),
                pulled.commit().substring(0, 12), pulled.files().size(), ProgressBar.bytes(pulled.selection().totalBytes()),
                ProgressBar.bytes(pulled.downloaded()));
        out.println("model:  " + r.model());
        r.mmproj().ifPresent(p -> out.println("mmproj: " + p));
        r.tekkenJson().ifPresent(p -> out.println("tekken: " + p));
        out.flush();
        return 0;
    }
}
