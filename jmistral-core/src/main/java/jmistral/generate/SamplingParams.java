package jmistral.generate;

import java.util.List;
import java.util.Objects;

/**
 * How to pick each next token and when to stop (one request). Immutable; use the {@code withX} methods
 * to derive variants from {@link #defaults()}.
 *
 * @param temperature       0 = greedy (argmax); default 0.15 as the Mistral Small 3.2 model card advises
 * @param topK              keep the k most likely tokens; 0 = off
 * @param topP              nucleus: keep the smallest set whose probability reaches p; 1 = off
 * @param minP              drop tokens whose probability is below minP x the top probability; 0 = off
 * @param seed              random seed; null = a fresh random stream (not reproducible)
 * @param presencePenalty   OpenAI: subtracted once from the logit of every token already generated
 * @param frequencyPenalty  OpenAI: subtracted count times from the logit of a generated token
 * @param repetitionPenalty HF / llama.cpp (1 = off): positive logits of tokens seen in the prompt or the
 *                          output are divided by it, negative ones multiplied
 * @param maxTokens         most tokens to generate; 0 = until the context is full
 * @param stop              stop strings (matched on decoded text, across token boundaries; not included
 *                          in the output)
 * @param stopTokenIds      token ids that end generation (put the tokenizer's EOS here); not output
 * @param logprobs          report the sampled token's log-probability
 * @param topLogprobs       also report this many most likely alternatives per step (0 = none)
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, Long seed,
                             double presencePenalty, double frequencyPenalty, double repetitionPenalty,
                             int maxTokens, List<String> stop, int[] stopTokenIds,
                             boolean logprobs, int topLogprobs) {

    /** The model card's advice. */
    public static final double DEFAULT_TEMPERATURE = 0.15;

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature))
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty))
            throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        if (Double.isNaN(presencePenalty) || Double.isNaN(frequencyPenalty))
            throw new IllegalArgumentException("penalties must be numbers");
        if (maxTokens < 0) throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        if (topLogprobs < 0) throw new IllegalArgumentException("top_logprobs must be >= 0, got " + topLogprobs);
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
    }

    /** temperature 0.15, no filters, no penalties, no limit but the context. */
    public static SamplingParams defaults() {
        return new SamplingParams(DEFAULT_TEMPERATURE, 0, 1.0, 0.0, null, 0, 0, 1.0, 0, List.of(), new int[0], false, 0);
    }

    /** Argmax decoding. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0);
    }

    public boolean isGreedy() { return temperature == 0 || topK == 1; }

    public boolean isStopToken(int token) {
        for (int id : stopTokenIds) if (id == token) return true;
        return false;
    }

    @Override public int[] stopTokenIds() { return stopTokenIds.clone(); }

    public SamplingParams withTemperature(double v) { return new SamplingParams(v, topK, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withTopK(int v) { return new SamplingParams(temperature, v, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withTopP(double v) { return new SamplingParams(temperature, topK, v, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withMinP(double v) { return new SamplingParams(temperature, topK, topP, v, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withSeed(Long v) { return new SamplingParams(temperature, topK, topP, minP, v, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withPresencePenalty(double v) { return new SamplingParams(temperature, topK, topP, minP, seed, v, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withFrequencyPenalty(double v) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, v, repetitionPenalty, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withRepetitionPenalty(double v) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, frequencyPenalty, v, maxTokens, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withMaxTokens(int v) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, v, stop, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withStop(List<String> v) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, v, stopTokenIds, logprobs, topLogprobs); }
    public SamplingParams withStopTokenIds(int... v) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, v, logprobs, topLogprobs); }
    /** logprobs on, with k alternatives per step (k may be 0). */
    public SamplingParams withLogprobs(int k) { return new SamplingParams(temperature, topK, topP, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, stopTokenIds, true, k); }

    @Override public boolean equals(Object o) {
        return o instanceof SamplingParams p && temperature == p.temperature && topK == p.topK && topP == p.topP
                && minP == p.minP && Objects.equals(seed, p.seed) && presencePenalty == p.presencePenalty
                && frequencyPenalty == p.frequencyPenalty && repetitionPenalty == p.repetitionPenalty
                && maxTokens == p.maxTokens && stop.equals(p.stop) && java.util.Arrays.equals(stopTokenIds, p.stopTokenIds)
                && logprobs == p.logprobs && topLogprobs == p.topLogprobs;
    }

    @Override public int hashCode() { return Objects.hash(temperature, topK, topP, minP, seed, maxTokens, stop); }
}
