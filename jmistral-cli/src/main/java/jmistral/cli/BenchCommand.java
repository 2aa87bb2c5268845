package jmistral.cli;

import java.util.concurrent.Callable;
import jmistral.bench.BenchOptions;
import jmistral.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral bench -m MODEL}: prefill and decode speed, and how much of the machine's memory
 * bandwidth decode uses; the measuring is jmistral-core's ModelBench, run by the engine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure prefill tok/s, decode tok/s and decode memory-bandwidth use.",
                "Numbers depend on other load on the machine."})
final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "512", description = "prefill length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", paramLabel = "N", defaultValue = "128", description = "decode steps (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--bandwidth-mb", paramLabel = "MB", defaultValue = "1024", description = "buffer for the bandwidth test (default: ${DEFAULT-VALUE})")
    int bandwidthMb;

    @Option(names = "--prefill-chunk", paramLabel = "N", defaultValue = "512",
            description = "prompt tokens per forward step, as the server chunks long prompts (default: ${DEFAULT-VALUE})")
    int prefillChunk;

    @Option(names = "--profile", description = "also print where the time of prefill and of a decode step goes: each "
            + "matmul by tensor (beside the same matrices multiplied alone), attention, norms, RoPE, activations, "
            + "sampling, the compute threads' idle time; with --batch N > 1, the same for a step of N sequences together")
    boolean profile;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "0",
            description = "also measure N sequences decoding together (aggregate tok/s; N > 1), one forward verifying "
                    + "--draft-tokens K drafts against one decode step, and greedy generation with and without "
                    + "speculative decoding (default: off)")
    int batch;

    @Override
    public Integer call() {
        BenchOptions options = new BenchOptions(promptTokens, genTokens, bandwidthMb, model.kvType, prefillChunk, profile, batch,
                model.draftTokens);
        try (Engine engine = Engines.open(model, spec.commandLine().getErr(), null)) {
            engine.benchmark(options).print(spec.commandLine().getOut());
            return 0;
        }
    }
}
