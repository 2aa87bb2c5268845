package jmistral.cli;

import jmistral.hub.CachedModel;
import jmistral.hub.HfCache;
import jmistral.hub.ModelSpec;
import jmistral.hub.ProgressBar;
import jmistral.hub.RepoId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;

/** {@code jmistral rm REPO --yes}: delete a model from the cache (all its snapshots and blobs). */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove a model (every revision and file of the repo) from the local Hugging Face cache.")
final class RmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REPO", description = "the Hugging Face repo id (a :QUANT suffix is ignored)")
    String repo;

    @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation")
    boolean yes;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RepoId id = ModelSpec.parse(repo).repo();
        HfCache cache = new HfCache(HubSettings.config.get().hubCache());
        if (!Files.exists(cache.repoDir(id))) {
            err.println("error: " + id + " is not in the cache " + cache.root() + " (see: jmistral list)");
            err.flush();
            return 1;
        }
        CachedModel m = CachedModel.of(cache, id);
        if (!yes) {
            var console = System.console();
            if (console == null || !console.isTerminal()) {
                err.println("error: this would delete " + m.directory() + " (" + ProgressBar.bytes(m.sizeOnDisk())
                        + "); run again with --yes to confirm");
                err.flush();
                return 1;
            }
            String answer = console.readLine("Delete %s (%s)? [y/N] ", m.directory(), ProgressBar.bytes(m.sizeOnDisk()));
            if (answer == null || !answer.trim().toLowerCase().startsWith("y")) {
                out.println("nothing removed");
                out.flush();
                return 1;
            }
        }
        long freed = cache.remove(id);
        out.println("removed " + id + " (" + ProgressBar.bytes(freed) + " freed)");
        out.flush();
        return 0;
    }
}
