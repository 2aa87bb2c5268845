package jmistral.server.engine;

import java.nio.file.Path;

/**
 * How to run the model behind the server.
 *
 * @param model              GGUF file or model folder (what {@code jmistral serve -m} resolved)
 * @param modelId            the id reported by {@code /v1/models} and in responses
 * @param parallel           sequences decoded together in one batch (continuous batching)
 * @param kvTokens           KV cache size in tokens, shared by all running sequences; one sequence
 *                           may use all of it (its context is also capped by the model's)
 * @param maxQueue           requests waiting for a batch place at most; more get 429 + Retry-After
 * @param allowRemoteImages  fetch http(s) image URLs (off by default: data URLs only)
 * @param mmproj             the vision projector GGUF, or null (images are refused until vision is wired)
 * @param systemPrompt       the model's SYSTEM_PROMPT.txt (used when a request has no system message), or null
 */
public record EngineOptions(Path model, String modelId, int parallel, int kvTokens, int maxQueue,
                            boolean allowRemoteImages, Path mmproj, Path systemPrompt) {

    public EngineOptions {
        if (parallel < 1) throw new IllegalArgumentException("parallel must be >= 1, got " + parallel);
        if (kvTokens < 16) throw new IllegalArgumentException("the KV cache needs at least 16 tokens, got " + kvTokens);
        if (maxQueue < 0) throw new IllegalArgumentException("maxQueue must be >= 0");
    }

    public static EngineOptions of(Path model, String modelId) {
        return new EngineOptions(model, modelId, 8, 16384, 64, false, null, null);
    }

    public EngineOptions withParallel(int v) { return new EngineOptions(model, modelId, v, kvTokens, maxQueue, allowRemoteImages, mmproj, systemPrompt); }
    public EngineOptions withKvTokens(int v) { return new EngineOptions(model, modelId, parallel, v, maxQueue, allowRemoteImages, mmproj, systemPrompt); }
    public EngineOptions withAllowRemoteImages(boolean v) { return new EngineOptions(model, modelId, parallel, kvTokens, maxQueue, v, mmproj, systemPrompt); }
    public EngineOptions withMmproj(Path v) { return new EngineOptions(model, modelId, parallel, kvTokens, maxQueue, allowRemoteImages, v, systemPrompt); }
    public EngineOptions withSystemPrompt(Path v) { return new EngineOptions(model, modelId, parallel, kvTokens, maxQueue, allowRemoteImages, mmproj, v); }
    public EngineOptions withMaxQueue(int v) { return new EngineOptions(model, modelId, parallel, kvTokens, v, allowRemoteImages, mmproj, systemPrompt); }
}
