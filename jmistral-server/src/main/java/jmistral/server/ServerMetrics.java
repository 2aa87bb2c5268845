package jmistral.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jmistral.generate.SchedulerMetrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

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
        registerScheduler(engine);
    }

    /**
     * The scheduler's own numbers, named like vLLM's ({@code vllm:num_requests_running},
     * {@code vllm:prefix_cache_hits}, ...; counters get Prometheus' {@code _total}). Prefix-cache queries
     * and hits count tokens, as vLLM's do: hits / queries is the share of prompt tokens not recomputed.
     */
    private void registerScheduler(CompletionEngine engine) {
        gauge(engine, "jmistral_num_requests_running", "Sequences in the running batch (scheduler)", SchedulerMetrics::running);
        gauge(engine, "jmistral_num_requests_waiting", "Requests waiting for a place in the batch (scheduler)", SchedulerMetrics::waiting);
        gauge(engine, "jmistral_kv_cache_blocks_used", "KV cache blocks in use (running sequences and cached prefixes)", SchedulerMetrics::kvBlocksUsed);
        gauge(engine, "jmistral_kv_cache_blocks_capacity", "KV cache blocks in the pool", SchedulerMetrics::kvBlocksTotal);
        gauge(engine, "jmistral_prefix_cache_entries", "Finished sequences kept for prefix reuse", SchedulerMetrics::prefixCacheEntries);
        counter(engine, "jmistral_prefix_cache_queries", "Prompt tokens looked up in the prefix cache", SchedulerMetrics::promptTokens);
        counter(engine, "jmistral_prefix_cache_hits", "Prompt tokens taken from the prefix cache instead of computed", SchedulerMetrics::cachedPromptTokens);
        counter(engine, "jmistral_num_preemptions", "Sequences pushed back to the queue to free KV blocks", SchedulerMetrics::preemptions);
        counter(engine, "jmistral_spec_decode_num_draft_tokens", "Speculative draft tokens verified", SchedulerMetrics::draftedTokens);
        counter(engine, "jmistral_spec_decode_num_accepted_tokens", "Speculative draft tokens accepted", SchedulerMetrics::acceptedTokens);
    }

    private void gauge(CompletionEngine engine, String name, String help, ToDoubleFunction<SchedulerMetrics> value) {
        Gauge.builder(name, engine, e -> read(e, value)).description(help).register(registry);
    }

    private void counter(CompletionEngine engine, String name, String help, ToDoubleFunction<SchedulerMetrics> value) {
        FunctionCounter.builder(name, engine, e -> read(e, value)).description(help).register(registry);
    }

    /** 0 while the model loads (nothing runs, nothing is cached yet). */
    private static double read(CompletionEngine engine, ToDoubleFunction<SchedulerMetrics> value) {
        SchedulerMetrics m = engine.schedulerMetrics();
        return m == null ? 0 : value.applyAsDouble(m);
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

    void tokens(jmistral.engine.Usage usage, long totalNanos) {
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
