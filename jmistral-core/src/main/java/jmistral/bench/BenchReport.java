package jmistral.bench;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What {@link ModelBench} measured.
 *
 * @param weightBytesPerToken bytes of weights one decode step reads (every matrix but the embedding)
 * @param bandwidthBytesPerSecond streaming-read bandwidth of all compute threads, best of a few passes
 * @param profile where the time of prefill and decode goes, when asked for; else null
 * @param batched batched decode, verify timing and speculative run, when asked for; else null
 */
public record BenchReport(Path model, int layers, int dim, String weightType, int threads,
                          int promptTokens, double prefillTokensPerSecond,
                          int genTokens, double decodeTokensPerSecond,
                          long weightBytesPerToken, int bandwidthMb, double bandwidthBytesPerSecond,
                          TokenProfile profile, BatchBench.Report batched) {

    /** Share of the measured bandwidth decode uses: weights per token x decode tok/s / bandwidth. */
    public double decodeBandwidthUse() {
        return weightBytesPerToken * decodeTokensPerSecond / bandwidthBytesPerSecond;
    }

    /** The report `jmistral bench` prints, one measure per line. */
    public void print(PrintWriter out) {
        out.printf("model            %s (%d layers, dim %d, %s)%n", model, layers, dim, weightType);
        out.printf("threads          %d%n", threads);
        out.printf("prefill          %.1f tok/s (%d tokens)%n", prefillTokensPerSecond, promptTokens);
        out.printf("decode           %.2f tok/s (%d tokens)%n", decodeTokensPerSecond, genTokens);
        out.printf("weights/token    %.1f MB%n", weightBytesPerToken / 1e6);
        out.printf("memory bandwidth %.1f GB/s (streaming read, %d MB)%n", bandwidthBytesPerSecond / 1e9, bandwidthMb);
        out.printf("decode bw use    %.0f%% (weights/token x decode tok/s / bandwidth)%n", decodeBandwidthUse() * 100);
        if (batched != null) batched.print(out);
        if (profile != null) profile.print(out);
        out.flush();
    }
}
