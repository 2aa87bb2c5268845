package jmistral.cli;

import jmistral.hub.ProgressBar;
import jmistral.hub.ProgressListener;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.quantize.GgufQuantizer;
import jmistral.quantize.QuantType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code jmistral synth --type T OUT}: writes a model of the Mistral Small 3.2 text architecture at any size.
 * The type is required (at the real widths even two layers are gigabytes, so nothing is written without
 * asking), named as {@code jmistral quantize} names them; a K-quant mix (Q4_K_M, Q5_K_M) is written as
 * Q8_0 first and then quantized exactly as {@code quantize} does, so the per-tensor types match.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a synthetic model (Mistral Small 3.2 text architecture, real Tekken vocabulary, "
                + "seeded random weights) as GGUF, Hugging Face or Mistral native checkpoint, for tests and benchmarks.",
                "Sizes: the defaults are the real model's widths (2 layers: 2.6 GB in Q8_0, 10 GB in F32); "
                        + "e.g. --dim 256 --ffn 512 --heads 4 --kv-heads 2 --head-dim 64 gives a ~70 MB model (Q8_0)."})
public final class SynthCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "weight type, as quantize names them: F32, F16, BF16 (every format); Q8_0, Q4_0, Q4_1, Q5_0, "
                    + "Q5_1, Q6_K, Q4_K_M, Q5_K_M (GGUF)")
    String type;
    @Option(names = "--format", defaultValue = "gguf", description = "gguf, hf or native (default: ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--layers", defaultValue = "2", description = "decoder layers (default: ${DEFAULT-VALUE}; the real model has 40)")
    int layers;
    @Option(names = "--dim", defaultValue = "5120", description = "hidden size (default: ${DEFAULT-VALUE})") int dim;
    @Option(names = "--head-dim", defaultValue = "128", description = "(default: ${DEFAULT-VALUE})") int headDim;
    @Option(names = "--heads", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})") int heads;
    @Option(names = "--kv-heads", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})") int kvHeads;
    @Option(names = "--ffn", defaultValue = "32768", description = "SwiGLU inner size (default: ${DEFAULT-VALUE})") int ffn;
    @Option(names = "--vocab", defaultValue = "131072", description = "(default: ${DEFAULT-VALUE}: Tekken's, so the file carries the tokenizer)") int vocab;
    @Option(names = "--context", defaultValue = "131072", description = "(default: ${DEFAULT-VALUE})") int context;
    @Option(names = "--rope-theta", defaultValue = "1e9", description = "(default: ${DEFAULT-VALUE})") double ropeTheta;
    @Option(names = "--eps", defaultValue = "1e-5", description = "(default: ${DEFAULT-VALUE})") double eps;
    @Option(names = "--seed", defaultValue = "0", description = "(default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--formula", description = "the llama.cpp fixtures' exact weights (zeroed special/non-UTF-8 output rows)")
    boolean formula;
    @Option(names = "--shard-bytes", defaultValue = "5000000000", description = "HF shard size (default: ${DEFAULT-VALUE})") long shardBytes;
    @Option(names = "--force", description = "overwrite OUT if it exists (default: refuse)")
    boolean force;
    @Parameters(index = "0", paramLabel = "OUT", description = "output .gguf file or folder") Path out;

    @Override
    public Integer call() throws Exception {
        if (!Set.of("gguf", "hf", "native").contains(format.toLowerCase(Locale.ROOT)))
            throw new ParameterException(spec.commandLine(), "--format must be gguf, hf or native, not " + format);
        QuantType t = QuantType.parse(type);
        if (Files.exists(out) && !force) throw new ParameterException(spec.commandLine(), out + " already exists; pass --force to overwrite it");
        TextConfig c = jmistral.model.TextConfigReader.validate(
                new TextConfig(dim, layers, headDim, ffn, heads, kvHeads, eps, ropeTheta, vocab, context), null);
        PrintWriter o = spec.commandLine().getOut();
        Synth.Options so = Synth.options(format, t.base.name(), c, seed, formula, shardBytes);
        if (t.bump == null) {
            Synth.write(out, so);
        } else {
            if (!format.equalsIgnoreCase("gguf")) throw new ParameterException(spec.commandLine(), t + " is a GGUF type; use --format gguf");
            Path q8 = Files.createTempFile(out.toAbsolutePath().getParent(), "synth-", ".q8_0.gguf");
            try {
                Synth.write(q8, Synth.options(format, "Q8_0", c, seed, formula, shardBytes));
                Files.deleteIfExists(out);
                GgufQuantizer.quantize(q8, out, t, ProgressListener.NONE);
            } finally {
                Files.deleteIfExists(q8);
            }
        }
        long bytes = Files.isDirectory(out) ? 0 : Files.size(out);
        o.println("wrote " + out + " (" + so.format() + ", " + t + (bytes > 0 ? ", " + ProgressBar.bytes(bytes) : "") + ", " + c + ")");
        o.flush();
        return 0;
    }
}
