package jmistral.cli;

import jmistral.model.LoadedModel;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jmistral synth}: writes a model of the Mistral Small 3.2 text architecture at any size. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a synthetic model (Mistral Small 3.2 text architecture, real Tekken vocabulary) "
                + "as GGUF, Hugging Face or Mistral native checkpoint.")
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "gguf", description = "gguf, hf or native (default ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--dim", defaultValue = "5120", description = "hidden size") int dim;
    @Option(names = "--head-dim", defaultValue = "128") int headDim;
    @Option(names = "--heads", defaultValue = "32") int heads;
    @Option(names = "--kv-heads", defaultValue = "8") int kvHeads;
    @Option(names = "--ffn", defaultValue = "32768", description = "SwiGLU inner size") int ffn;
    @Option(names = "--vocab", defaultValue = "131072") int vocab;
    @Option(names = "--context", defaultValue = "131072") int context;
    @Option(names = "--rope-theta", defaultValue = "1e9") double ropeTheta;
    @Option(names = "--eps", defaultValue = "1e-5") double eps;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--formula", description = "the llama.cpp fixtures' exact weights (zeroed special/non-UTF-8 output rows)")
    boolean formula;
    @Option(names = "--type", defaultValue = "F32", description = "F32, F16, BF16 (all formats); Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K (GGUF)")
    GgmlType type;
    @Option(names = "--shard-bytes", defaultValue = "5000000000", description = "HF shard size") long shardBytes;
    @Parameters(index = "0", description = "output .gguf file or folder") Path out;

    @Override
    public Integer call() throws Exception {
        LoadedModel.Format f = switch (format.toLowerCase()) {
            case "gguf" -> LoadedModel.Format.GGUF;
            case "hf" -> LoadedModel.Format.HF;
            case "native" -> LoadedModel.Format.NATIVE;
            default -> throw new IllegalArgumentException("--format must be gguf, hf or native, not " + format);
        };
        TextConfig c = jmistral.model.TextConfigReader.validate(
                new TextConfig(dim, layers, headDim, ffn, heads, kvHeads, eps, ropeTheta, vocab, context), null);
        Synth.write(out, new Synth.Options(f, c, seed, formula, type, shardBytes));
        System.out.println("wrote " + out + " (" + f + ", " + type + ", " + c + ")");
        return 0;
    }
}
