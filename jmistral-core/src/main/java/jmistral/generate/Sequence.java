package jmistral.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jmistral.model.SequenceCache;

/**
 * The scheduler's state of one request: its token history (prompt + generated), its KV cache, and
 * the per-sequence helpers (sampler, stop matcher, loop guard). Whatever of the history is not in the
 * cache yet is forwarded next: a prompt chunk, or the one token sampled last step. After a preemption
 * the cache is gone and the whole history is recomputed the same way.
 */
final class Sequence {

    final SequenceRequest request;
    final SequenceHandle handle;
    final long submitNanos;
    long admitNanos = -1;
    long firstTokenNanos = -1;

    int[] tokens;                    // prompt + generated; [0, length)
    int length;
    final int promptLength;
    int cachedPromptTokens;          // prompt tokens taken from the prefix cache
    SequenceCache cache;             // null while waiting
    Sampler sampler;                 // created at first admission
    final StopMatcher stopMatcher;
    final LoopGuard loopGuard;
    final StringBuilder text = new StringBuilder();
    final List<GenerationEvent.Token> steps = new ArrayList<>();
    int completionTokens;            // sampled, stop tokens included
    int draftLimit = Integer.MAX_VALUE; // draft tokens this sequence tries next (adapts to what it got accepted)
    int draftPause;                  // steps left without drafts, after a draft of which nothing was accepted
    int draftBackoff;                // the last such pause: doubles with each wholly rejected draft, 0 once one is accepted

    Sequence(SequenceRequest request, SequenceHandle handle, LoopGuard.Config defaultGuard, long now) {
        this.request = request;
        this.handle = handle;
        this.submitNanos = now;
        this.promptLength = request.prompt().length;
        this.tokens = Arrays.copyOf(request.prompt(), promptLength + 16);
        this.length = promptLength;
        this.stopMatcher = new StopMatcher(request.params().stop());
        this.loopGuard = new LoopGuard(request.loopGuard() != null ? request.loopGuard() : defaultGuard);
    }

    void append(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, length * 2);
        tokens[length++] = token;
    }

    /** Tokens of the history not yet in the KV cache. */
    int uncached() { return length - cache.length(); }

    private long[] promptKeys;       // request.prefixKeys(), computed on first use

    /**
     * Prefix-cache keys of the history [0, n): the prompt's {@link SequenceRequest#prefixKeys} (image
     * positions keyed by their embedding rows), then the generated token ids.
     */
    long[] keys(int n) {
        if (promptKeys == null) promptKeys = request.prefixKeys();
        if (n == promptLength) return promptKeys;     // the usual admission: no copy (never written to)
        long[] keys = Arrays.copyOf(promptKeys, n);
        for (int i = promptLength; i < n; i++) keys[i] = tokens[i];
        return keys;
    }

    /** Embedding rows for history positions [from, from + n), or null when none replaces a token. */
    float[][] embeddings(int from, int n) {
        float[][] all = request.embeddings();
        if (all == null || from >= promptLength) return null;
        float[][] rows = new float[n][];
        boolean any = false;
        for (int i = 0; i < n && from + i < promptLength; i++) {
            rows[i] = all[from + i];
            any |= rows[i] != null;
        }
        return any ? rows : null;
    }

    Usage usage() { return new Usage(promptLength, completionTokens, cachedPromptTokens); }
}
