package jmistral.chat;

import java.util.List;

/**
 * How to answer a chat request: tool choice, response format, sampling, stopping, how many answers and
 * what to report (OpenAI's request fields beside {@code messages} and {@code tools}). Immutable; start from
 * {@link #DEFAULTS} and derive with the {@code withX} methods. Invalid values are a
 * {@link ChatValidationException} naming the field as OpenAI does.
 *
 * @param toolChoice        null = AUTO when the request has tools, else NONE
 * @param parallelToolCalls whether one answer may hold several calls
 * @param responseFormat    free text or JSON (object or schema), enforced by constrained decoding
 * @param temperature       null = the model card's 0.15; 0 = greedy
 * @param topP              nucleus sampling, in (0, 1]; null = 1 (off)
 * @param topK              keep the k most likely tokens; 0 = off
 * @param minP              drop tokens below minP x the top probability; 0 = off
 * @param presencePenalty   OpenAI's, in [-2, 2]
 * @param frequencyPenalty  OpenAI's, in [-2, 2]
 * @param repetitionPenalty HF / llama.cpp's (1 = off)
 * @param maxTokens         answer tokens at most; null = what the context has left
 * @param stop              stop strings (not part of the answer)
 * @param seed              sampling seed (reproducible answers); null = random. Answer i of n uses seed + i.
 * @param n                 how many answers (choices) to generate for the one prompt, 1..16
 * @param logprobs          report each answer token's log-probability
 * @param topLogprobs       and this many most likely alternatives (0..20; needs logprobs)
 */
public record ChatOptions(ToolChoice toolChoice, boolean parallelToolCalls, ResponseFormat responseFormat,
                          Double temperature, Double topP, int topK, double minP,
                          double presencePenalty, double frequencyPenalty, double repetitionPenalty,
                          Integer maxTokens, List<String> stop, Long seed, int n, boolean logprobs, int topLogprobs) {

    /** Most answers per request. */
    public static final int MAX_CHOICES = 16;
    /** Most alternatives per token. */
    public static final int MAX_TOP_LOGPROBS = 20;

    /** Tool choice by the tools, parallel calls, text, temperature 0.15, no limits but the context, one answer. */
    public static final ChatOptions DEFAULTS = new ChatOptions(null, true, ResponseFormat.TEXT, null, null, 0, 0,
            0, 0, 1, null, List.of(), null, 1, false, 0);

    public ChatOptions {
        if (responseFormat == null) responseFormat = ResponseFormat.TEXT;
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) throw bad("temperature", "must be between 0 and 2, got " + temperature);
        if (topP != null && !(topP >= 0 && topP <= 1)) throw bad("top_p", "must be between 0 and 1, got " + topP);
        if (topK < 0) throw bad("top_k", "must be >= 0, got " + topK);
        if (!(minP >= 0 && minP <= 1)) throw bad("min_p", "must be between 0 and 1, got " + minP);
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) throw bad("presence_penalty", "must be between -2 and 2, got " + presencePenalty);
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) throw bad("frequency_penalty", "must be between -2 and 2, got " + frequencyPenalty);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) throw bad("repetition_penalty", "must be > 0, got " + repetitionPenalty);
        if (maxTokens != null && maxTokens < 1) throw bad("max_tokens", "must be >= 1, got " + maxTokens);
        for (String s : stop) if (s == null || s.isEmpty()) throw bad("stop", "stop strings must not be empty");
        if (n < 1 || n > MAX_CHOICES) throw bad("n", "must be between 1 and " + MAX_CHOICES + ", got " + n);
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) throw bad("top_logprobs", "must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + topLogprobs);
        if (topLogprobs > 0 && !logprobs) throw bad("top_logprobs", "top_logprobs requires logprobs to be true");
    }

    private static ChatValidationException bad(String field, String message) {
        return new ChatValidationException(field, message);
    }

    /** The tool choice in effect for a request with or without tools. */
    public ToolChoice toolChoiceFor(boolean hasTools) {
        if (toolChoice != null) return toolChoice;
        return hasTools ? ToolChoice.AUTO : ToolChoice.NONE;
    }

    public ChatOptions withToolChoice(ToolChoice v) { return new ChatOptions(v, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withParallelToolCalls(boolean v) { return new ChatOptions(toolChoice, v, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withResponseFormat(ResponseFormat v) { return new ChatOptions(toolChoice, parallelToolCalls, v, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withTemperature(Double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, v, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withTopP(Double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, v, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withTopK(int v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, v, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withMinP(double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, v, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withPresencePenalty(double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, v, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withFrequencyPenalty(double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, v, repetitionPenalty, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withRepetitionPenalty(double v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, v, maxTokens, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withMaxTokens(Integer v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, v, stop, seed, n, logprobs, topLogprobs); }
    public ChatOptions withStop(List<String> v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, v, seed, n, logprobs, topLogprobs); }
    public ChatOptions withSeed(Long v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, v, n, logprobs, topLogprobs); }
    public ChatOptions withN(int v) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, v, logprobs, topLogprobs); }
    /** Logprobs on (or off), with k alternatives per token. */
    public ChatOptions withLogprobs(boolean on, int k) { return new ChatOptions(toolChoice, parallelToolCalls, responseFormat, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, maxTokens, stop, seed, n, on, k); }
}
