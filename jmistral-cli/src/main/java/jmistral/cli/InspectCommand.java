package jmistral.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jmistral inspect FILE}: metadata and tensor table of a GGUF file or safetensors file/folder. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {"Show a model file's metadata and tensors (name, type, shape, offset, bytes).",
                "FILE: a .gguf file, a .safetensors file, or a folder of safetensors shards."})
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "GGUF file, safetensors file, or safetensors folder")
    Path file;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--items", defaultValue = "6", paramLabel = "N",
            description = "Array items shown before the count (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<FileSummary> summaries = FileSummary.of(file);
        SummaryPrinter printer = new SummaryPrinter(Math.max(0, items));
        if (json) printer.json(summaries, spec.commandLine().getOut());
        else printer.text(summaries, spec.commandLine().getOut());
        return 0;
    }
}
