package jmistral.engine;

import java.nio.file.Path;
import jmistral.generate.Speculation;
import jmistral.model.KvCacheType;

/**
 * How to open a model. Start from {@link #of(String)} and derive with the {@code withX} methods.
 *
 * @param model              a GGUF file, a model folder (Hugging Face or Mistral native), or a Hugging Face
 *                           repo id {@code ORG/NAME[:QUANT]} (pulled into the local cache)
 * @param modelId            the name answers report; null = the repo id, else the file or folder name
 * @param mmproj             the vision tower (an mmproj GGUF or a model folder); null = the mmproj GGUF
 *                           beside a GGUF model, or the vision weights of the model's folder. Opened on the
 *                           first image.
 * @param threads            compute threads of this engine's own pool; 0 = the process-wide pool (the
 *                           machine's cores, or {@code -Djmistral.threads})
 * @param contextTokens      KV cache size in tokens, shared by all running requests; one request may use
 *                           all of it (also capped by the model's context)
 * @param kvCacheType        element type of the KV cache
 * @param maxParallel        requests decoded together in one batch (continuous batching)
 * @param maxQueue           requests waiting for a batch place at most; more are refused with
 *                           {@link EngineBusyException}
 * @param maxContext         tokens one request may hold (prompt + answer); 0 = the model's context
 * @param prefixCacheEntries finished requests kept so a later request with the same beginning (a chat's
 *                           earlier turns, a shared system prompt) is not computed again; 0 = none
 * @param systemPrompt       put first in a request that has no system message; null = none
 * @param modelSystemPrompt  without systemPrompt, use the model's own SYSTEM_PROMPT.txt (beside it, as
 *                           Mistral ships it) rendered with the model's name and today's date
 * @param warmUp             compile the kernels before {@link Engine#open} returns, so the first request
 *                           runs at full speed
 * @param draftTokens        speculative decoding by prompt lookup: draft tokens verified per request and
 *                           step at most (see {@link jmistral.generate.Speculation}); 0 = off
 */
public record EngineOptions(String model, String modelId, Path mmproj, int threads, int contextTokens,
                            KvCacheType kvCacheType, int maxParallel, int maxQueue, int maxContext,
                            int prefixCacheEntries, String systemPrompt, boolean modelSystemPrompt, boolean warmUp,
                            int draftTokens) {

    public EngineOptions {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("the model (a file, folder or repo id) is missing");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 1 (or 0 for the cores), got " + threads);
        if (contextTokens < 16) throw new IllegalArgumentException("the KV cache needs at least 16 tokens, got " + contextTokens);
        if (kvCacheType == null) kvCacheType = KvCacheType.F16;
        if (maxParallel < 1) throw new IllegalArgumentException("maxParallel must be >= 1, got " + maxParallel);
        if (maxQueue < 0) throw new IllegalArgumentException("maxQueue must be >= 0, got " + maxQueue);
        if (maxContext < 0) throw new IllegalArgumentException("maxContext must be >= 0, got " + maxContext);
        if (prefixCacheEntries < 0) throw new IllegalArgumentException("prefixCacheEntries must be >= 0");
        if (draftTokens < 0 || draftTokens > Speculation.MAX_DRAFT_TOKENS)
            throw new IllegalArgumentException("draft tokens must be in [0, " + Speculation.MAX_DRAFT_TOKENS + "] (0 = no speculative decoding), got " + draftTokens);
    }

    /** 4096 tokens of F16 KV cache, 8 requests in parallel, 64 waiting, 32 cached prefixes, no warm-up, 8 draft tokens. */
    public static EngineOptions of(String model) {
        return new EngineOptions(model, null, null, 0, 4096, KvCacheType.F16, 8, 64, 0, 32, null, false, false,
                Speculation.DEFAULT.draftTokens());
    }

    public static EngineOptions of(Path model) {
        return of(model.toString());
    }

    public EngineOptions withModelId(String v) { return new EngineOptions(model, v, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withMmproj(Path v) { return new EngineOptions(model, modelId, v, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withThreads(int v) { return new EngineOptions(model, modelId, mmproj, v, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withContextTokens(int v) { return new EngineOptions(model, modelId, mmproj, threads, v, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withKvCacheType(KvCacheType v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, v, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withMaxParallel(int v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, v, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withMaxQueue(int v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, v, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withMaxContext(int v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, v, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withPrefixCacheEntries(int v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, v, systemPrompt, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withSystemPrompt(String v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, v, modelSystemPrompt, warmUp, draftTokens); }
    public EngineOptions withModelSystemPrompt(boolean v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, v, warmUp, draftTokens); }
    public EngineOptions withWarmUp(boolean v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, v, draftTokens); }
    public EngineOptions withDraftTokens(int v) { return new EngineOptions(model, modelId, mmproj, threads, contextTokens, kvCacheType, maxParallel, maxQueue, maxContext, prefixCacheEntries, systemPrompt, modelSystemPrompt, warmUp, v); }
}
