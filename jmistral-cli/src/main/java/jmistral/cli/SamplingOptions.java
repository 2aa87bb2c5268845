package jmistral.cli;

import jmistral.chat.ChatOptions;
import picocli.CommandLine.Option;

/** Sampling options of run and chat (a picocli mixin). */
final class SamplingOptions {

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.15",
            description = "0 = greedy (default: ${DEFAULT-VALUE}, the model card's advice)")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "nucleus sampling (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "keep the K most likely tokens (0 = off)")
    int topK;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0", description = "drop tokens below P x the top probability")
    double minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", defaultValue = "1.0", description = "repetition penalty (1 = off)")
    double repeatPenalty;

    @Option(names = "--seed", paramLabel = "N", description = "random seed (reproducible sampling)")
    Long seed;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "0",
            description = "most tokens to generate (0 = until the end of the answer or the context)")
    int maxTokens;

    ChatOptions options() {
        return ChatOptions.DEFAULTS.withTemperature(temperature).withTopP(topP).withTopK(topK).withMinP(minP)
                .withRepetitionPenalty(repeatPenalty).withSeed(seed).withMaxTokens(maxTokens > 0 ? maxTokens : null);
    }
}
