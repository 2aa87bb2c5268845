package jmistral.cli;

import jmistral.hub.ProgressBar;
import jmistral.hub.ProgressListener;
import jmistral.quantize.GgufQuantizer;
import jmistral.quantize.QuantType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code jmistral quantize IN OUT TYPE}: a model folder or GGUF file to a GGUF file in one quantization type. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face or Mistral native folder (or a GGUF file) to a GGUF file "
                + "(arch llama, Tekken tokenizer) in F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q6_K, Q4_K_M or Q5_K_M.")
public final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "input: model folder (config.json or params.json + safetensors) or .gguf file")
    Path in;
    @Parameters(index = "1", description = "output .gguf file")
    Path out;
    @Parameters(index = "2", description = "type: Q4_K_M, Q6_K, Q8_0, Q4_0, ... (case-insensitive)")
    String type;
    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;
    @Option(names = "--force", description = "overwrite OUT if it exists (default: refuse)")
    boolean force;
    @Option(names = "--verbose", description = "stack traces on errors")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        QuantType t = QuantType.parse(type);
        if (Files.exists(out) && !force) {
            throw new ParameterException(spec.commandLine(), out + " already exists; pass --force to overwrite it");
        }
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = ProgressBar.stderrIsTerminal() ? new ProgressBar(System.err) : new TensorLines(err);
        GgufQuantizer.Result r = GgufQuantizer.quantize(in, out, t, threads == null ? 0 : threads, progress);
        PrintWriter o = spec.commandLine().getOut();
        var counts = r.tensorsPerType();
        o.println("wrote " + r.out() + ": " + r.type() + ", " + r.tensors().size() + " tensors ("
                + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))
                + "), " + ProgressBar.bytes(r.bytes()) + " of weights");
        o.println("tokenizer: " + (r.tokenizer() == null ? "none" : r.tokenizer()));
        r.notes().forEach(n -> o.println("note: " + n));
        o.flush();
        return 0;
    }

    /** When stderr is not a terminal: one line per tensor instead of a redrawn bar. */
    private record TensorLines(PrintWriter err) implements ProgressListener {
        @Override public void start(String name, long total, long alreadyDone) {
            err.println(name);
            err.flush();
        }
        @Override public void advance(long bytes) { }
        @Override public void finish() { }
    }
}
