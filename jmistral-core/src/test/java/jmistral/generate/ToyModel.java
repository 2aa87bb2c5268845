package jmistral.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LanguageModel;
import jmistral.model.TextConfig;

/**
 * A deterministic stand-in for the decoder: the logits after a history are a pseudo-random function of
 * the whole history (every cached position counts), so a wrong cache (bad prefix fork, chunks out of
 * order, a sequence's KV mixed with another's) changes the output. Records what each step forwarded.
 */
class ToyModel implements LanguageModel {

    /** One entry of one step: the sequence's cache length before and the token count. */
    record Forwarded(int startLength, int tokens) {
    }

    final int vocab;
    final int blockSize;
    final int eos;            // token made likely once the history passes eosAfter tokens; -1 = none
    final int eosAfter;
    final AtomicLong forwardedTokens = new AtomicLong();
    final List<List<Forwarded>> steps = new CopyOnWriteArrayList<>();
    volatile Consumer<List<BatchEntry>> beforeForward = b -> { };
    volatile FakeKvCache lastCache;

    ToyModel(int vocab, int blockSize, int eos, int eosAfter) {
        this.vocab = vocab;
        this.blockSize = blockSize;
        this.eos = eos;
        this.eosAfter = eosAfter;
    }

    @Override public TextConfig config() {
        return new TextConfig(16, 1, 4, 32, 4, 2, 1e-5, 1e9, vocab, 1 << 20);
    }

    @Override public KvCache createCache(int maxTokens, KvCacheType type) {
        lastCache = new FakeKvCache((maxTokens + blockSize - 1) / blockSize, blockSize);
        return lastCache;
    }

    @Override public List<float[]> forward(List<BatchEntry> batch) {
        beforeForward.accept(batch);
        List<Forwarded> step = new ArrayList<>();
        List<float[]> out = new ArrayList<>();
        for (BatchEntry e : batch) {
            FakeKvCache.Seq seq = (FakeKvCache.Seq) e.cache();
            step.add(new Forwarded(seq.length(), e.tokens().length));
            int n = e.tokens().length;
            float[] all = e.allLogits() ? new float[n * vocab] : null;    // [n][vocab]
            for (int i = 0; i < n; i++) {
                float[] row = e.embeddings() == null ? null : e.embeddings()[i];
                seq.append(row == null ? e.tokens()[i] : embeddingKey(row));
                if (all != null) System.arraycopy(logits(seq.history()), 0, all, i * vocab, vocab);
            }
            forwardedTokens.addAndGet(n);
            out.add(all != null ? all : logits(seq.history()));
        }
        steps.add(step);
        return out;
    }

    @Override public void close() { }

    static long embeddingKey(float[] row) {
        long h = 0x51ED;
        for (float f : row) h = mix(h ^ Float.floatToIntBits(f));
        return h | (1L << 62);                       // never equal to a token id
    }

    /** The logits after a history of cached positions (token ids or embedding keys). */
    float[] logits(long[] history) {
        long h = 0x9E3779B97F4A7C15L;
        for (long k : history) h = mix(h ^ k);
        float[] l = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            long r = mix(h + i * 0xBF58476D1CE4E5B9L);
            l[i] = ((r >>> 40) / (float) (1 << 24)) * 8f - 4f;   // uniform in [-4, 4)
        }
        if (eos >= 0 && history.length >= eosAfter) l[eos] += 3f + (history.length - eosAfter);
        return l;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
