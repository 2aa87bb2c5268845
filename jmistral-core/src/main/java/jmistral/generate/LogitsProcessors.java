package jmistral.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The steps that turn a model's logits into a distribution to sample from. Plain loops over float[]
 * of length vocab; each step is a static function so tests can hold it against a hand computation.
 */
public final class LogitsProcessors {

    private LogitsProcessors() {
    }

    /**
     * Repetition penalty (HF / llama.cpp / vLLM): for every token seen (prompt or output), a positive
     * logit is divided by the penalty and a negative one multiplied, so the token always gets less likely.
     */
    public static void repetitionPenalty(float[] logits, BitSet seen, double penalty) {
        if (penalty == 1.0) return;
        for (int t = seen.nextSetBit(0); t >= 0; t = seen.nextSetBit(t + 1)) {
            float l = logits[t];
            logits[t] = (float) (l > 0 ? l / penalty : l * penalty);
        }
    }

    /**
     * OpenAI presence / frequency penalties on generated tokens:
     * logit[t] -= frequency * count[t] + presence * (count[t] > 0).
     *
     * @param generated the distinct tokens generated so far
     * @param counts    count per token id (indexed by token)
     */
    public static void presenceFrequencyPenalty(float[] logits, BitSet generated, int[] counts,
                                                double presence, double frequency) {
        if (presence == 0 && frequency == 0) return;
        for (int t = generated.nextSetBit(0); t >= 0; t = generated.nextSetBit(t + 1)) {
            logits[t] -= (float) (frequency * counts[t] + presence);
        }
    }

    /** Sets the logit of every token not in allowed to -inf. */
    public static void mask(float[] logits, BitSet allowed) {
        for (int t = allowed.nextClearBit(0); t < logits.length; t = allowed.nextClearBit(t + 1)) {
            logits[t] = Float.NEGATIVE_INFINITY;
        }
    }

    /** Index of the largest logit (the lowest index on ties); -1 when all are -inf or NaN. */
    public static int argmax(float[] logits, int offset, int n) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (v > bestValue) { bestValue = v; best = i; }
        }
        return best;
    }

    /** log(sum(exp(logits))) computed stably, in double. */
    public static double logSumExp(float[] logits, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[offset + i] - max);
        return max + Math.log(sum);
    }

    /**
     * The k largest logits as log-probabilities (log-softmax), most likely first, ties by lower id.
     *
     * @param lse logSumExp of the same logits
     */
    public static List<TopLogprob> topLogprobs(float[] logits, int offset, int n, int k, double lse) {
        k = Math.min(k, n);
        if (k <= 0) return List.of();
        int[] ids = new int[k];
        float[] vals = new float[k];
        Arrays.fill(vals, Float.NEGATIVE_INFINITY);
        Arrays.fill(ids, Integer.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (!(v > vals[k - 1]) && !(v == vals[k - 1] && ids[k - 1] == Integer.MAX_VALUE)) continue;
            // insertion into the sorted short list (descending value, ascending id)
            int j = k - 1;
            while (j > 0 && (v > vals[j - 1])) { vals[j] = vals[j - 1]; ids[j] = ids[j - 1]; j--; }
            vals[j] = v;
            ids[j] = i;
        }
        List<TopLogprob> out = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            if (ids[j] == Integer.MAX_VALUE) break;
            out.add(new TopLogprob(ids[j], (float) (vals[j] - lse)));
        }
        return List.copyOf(out);
    }
}
