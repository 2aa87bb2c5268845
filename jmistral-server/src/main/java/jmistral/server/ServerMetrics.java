package jmistral.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Prometheus metrics for {@code GET /metrics} (names follow vLLM's where one exists, prefix jmistral_). */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter requests;
    private final Counter cancelled;
    private final Counter errors;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Timer timeToFirstToken;
    private final DistributionSummary tokensPerSecond;
    private final AtomicInteger inFlight = new AtomicInteger();

    ServerMetrics(CompletionEngine engine) {
        requests = Counter.builder("jmistral_requests").description("Chat completion requests").register(registry);
        cancelled = Counter.builder("jmistral_requests_cancelled").description("Requests cancelled by a client disconnect").register(registry);
        errors = Counter.builder("jmistral_request_errors").description("Requests answered with an error").register(registry);
        promptTokens = Counter.builder("jmistral_prompt_tokens").description("Prompt tokens processed").register(registry);
        generationTokens = Counter.builder("jmistral_generation_tokens").description("Tokens generated").register(registry);
        timeToFirstToken = Timer.builder("jmistral_time_to_first_token").description("Time to first token")
                .publishPercentileHistogram().register(registry);
        tokensPerSecond = DistributionSummary.builder("jmistral_generation_tokens_per_second")
                .description("Decode speed per request").register(registry);
        Gauge.builder("jmistral_requests_running", inFlight, AtomicInteger::get).description("Requests being answered").register(registry);
        Gauge.builder("jmistral_queue_depth", engine, e -> e.stats().queueDepth()).description("Requests waiting for a batch slot").register(registry);
        Gauge.builder("jmistral_batch_sequences", engine, e -> e.stats().running()).description("Sequences in the running batch").register(registry);
        Gauge.builder("jmistral_kv_cache_usage_ratio", engine, e -> e.stats().kvCacheUsage()).description("Fraction of KV cache in use").register(registry);
    }

    void requestStarted() {
        requests.increment();
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    void cancelled() {
        cancelled.increment();
    }

    void error() {
        errors.increment();
    }

    void firstToken(long nanos) {
        timeToFirstToken.record(Duration.ofNanos(nanos));
    }

    void tokens(CompletionEvent.Usage usage, long totalNanos) {
        promptTokens.increment(usage.promptTokens());
        generationTokens.increment(usage.completionTokens());
        if (totalNanos > 0 && usage.completionTokens() > 0) {
            tokensPerSecond.record(usage.completionTokens() / (totalNanos / 1e9));
        }
    }

    String scrape() {
        return registry.scrape();
    }
}
