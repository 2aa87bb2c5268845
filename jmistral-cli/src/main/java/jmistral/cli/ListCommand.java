package jmistral.cli;

import jmistral.hub.CachedModel;
import jmistral.hub.HfCache;
import jmistral.hub.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jmistral list}: the models in the Hugging Face cache, with their sizes. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List the models in the local Hugging Face cache ($HF_HOME/hub) with their sizes.")
final class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--files"}, description = "also list the files of each model's newest snapshot")
    boolean files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HfCache cache = new HfCache(HubSettings.config.get().hubCache());
        List<CachedModel> models = CachedModel.scan(cache);
        if (models.isEmpty()) {
            out.println("no models in " + cache.root() + " (get one with: jmistral pull REPO[:QUANT])");
            out.flush();
            return 0;
        }
        int w = Math.max(4, models.stream().mapToInt(m -> m.repo().toString().length()).max().orElse(4));
        out.printf("%-" + w + "s  %10s  %s%n", "REPO", "SIZE", "GGUF / FILES");
        long total = 0;
        for (CachedModel m : models) {
            total += m.sizeOnDisk();
            List<String> ggufs = m.files().stream().filter(f -> f.toLowerCase().endsWith(".gguf")).toList();
            String what = ggufs.isEmpty() ? m.files().size() + " files" : String.join(", ", ggufs);
            if (m.partialBytes() > 0) what += "  (+" + ProgressBar.bytes(m.partialBytes()) + " unfinished download)";
            out.printf("%-" + w + "s  %10s  %s%n", m.repo(), ProgressBar.bytes(m.sizeOnDisk()), what);
            if (files) m.files().forEach(f -> out.println("    " + f));
        }
        out.printf("%-" + w + "s  %10s  in %s%n", "total", ProgressBar.bytes(total), cache.root());
        out.flush();
        return 0;
    }
}
