package jmistral.cli;

import jmistral.hub.DefaultModels;
import jmistral.model.KvCacheType;
import picocli.CommandLine.Option;

/** Options every command that runs the model shares (a picocli mixin). */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "a GGUF file, a model folder (Hugging Face or Mistral native), or a Hugging Face repo id "
                    + "(default: ${DEFAULT-VALUE})")
    String model = DefaultModels.DEFAULT_SPEC;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "4096",
            description = "context tokens to allocate KV cache for (default: ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--kv-type", paramLabel = "T", defaultValue = "F16",
            description = "KV cache element type: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    KvCacheType kvType;

    @Option(names = "--threads", paramLabel = "N", description = "compute threads (default: the CPU cores)")
    Integer threads;

    @Option(names = "--draft-tokens", paramLabel = "K", defaultValue = "8",
            description = "speculative decoding by prompt lookup: tokens drafted from earlier text and verified "
                    + "in one pass; 0 = off (default: ${DEFAULT-VALUE})")
    int draftTokens;
}
