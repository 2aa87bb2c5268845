package jmistral.generate;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks one sequence's next tokens. Keeps the state penalties need (tokens seen, counts of generated
 * tokens) and its own random stream, so a fixed seed reproduces the same tokens whatever else runs
 * in the same batch.
 *
 * <p>Order, as in HF / vLLM: repetition penalty, presence/frequency penalties, constraint mask, then
 * greedy argmax, or temperature, top-k, top-p, min-p and a draw. Reported logprobs are those of the
 * model's raw distribution (log-softmax of the logits before any of these steps), as vLLM reports by
 * default.
 */
public final class Sampler {

    private final SamplingParams params;
    private final int vocab;
    private final TokenConstraint constraint;
    private final SplittableRandom random;
    private final BitSet seen = new BitSet();        // prompt + generated (repetition penalty)
    private final BitSet generated = new BitSet();   // generated only (presence / frequency)
    private final int[] counts;                      // [vocab] times each token was generated
    private final float[] scratch;                   // [vocab] processed logits, then probabilities

    public Sampler(SamplingParams params, int vocabSize, int[] prompt, TokenConstraint constraint) {
        this.params = params;
        this.vocab = vocabSize;
        this.constraint = constraint;
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
        this.counts = new int[vocabSize];
        this.scratch = new float[vocabSize];
        if (params.repetitionPenalty() != 1.0) {
            for (int t : prompt) if (t >= 0 && t < vocabSize) seen.set(t);
        }
    }

    /**
     * Samples the next token from logits[offset .. offset + vocab) and records it (penalties,
     * constraint). Throws IllegalStateException when the constraint allows no token.
     */
    public Sample sample(float[] logits, int offset) {
        List<TopLogprob> top = List.of();
        double lse = Double.NaN;
        if (params.logprobs()) {
            lse = LogitsProcessors.logSumExp(logits, offset, vocab);
            top = LogitsProcessors.topLogprobs(logits, offset, vocab, params.topLogprobs(), lse);
        }

        float[] l = scratch;
        System.arraycopy(logits, offset, l, 0, vocab);
        LogitsProcessors.repetitionPenalty(l, seen, params.repetitionPenalty());
        LogitsProcessors.presenceFrequencyPenalty(l, generated, counts, params.presencePenalty(), params.frequencyPenalty());
        if (constraint != null) {
            BitSet allowed = constraint.allowedTokens();
            if (allowed != null) {
                if (allowed.nextSetBit(0) < 0 || allowed.nextSetBit(0) >= vocab)
                    throw new IllegalStateException("the token constraint allows no token");
                LogitsProcessors.mask(l, allowed);
            }
        }

        int token = params.isGreedy() ? LogitsProcessors.argmax(l, 0, vocab) : draw(l);
        if (token < 0) throw new IllegalStateException("no token has a finite logit (all -inf or NaN)");

        accept(token);
        float logprob = params.logprobs() ? (float) (logits[offset + token] - lse) : Float.NaN;
        return new Sample(token, logprob, top);
    }

    /** Records a token chosen (or forced) for this sequence. */
    private void accept(int token) {
        counts[token]++;
        generated.set(token);
        if (params.repetitionPenalty() != 1.0) seen.set(token);
        if (constraint != null) constraint.advance(token);
    }

    /** Below this exponent (-z), (float) Math.exp(z) is 0: exp(-104) = 6.8e-46, under half of Float.MIN_VALUE. */
    private static final double EXP_UNDERFLOW = 104.5;

    /** Temperature, top-k, top-p, min-p, then one draw from what is left. l is overwritten. */
    private int draw(float[] l) {
        // probabilities relative to the top one: p[i] = exp((l[i] - max) / T), so p[max] = 1
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) if (l[i] > max) max = l[i];
        if (max == Float.NEGATIVE_INFINITY || Float.isNaN(max)) return -1;
        double invT = 1.0 / params.temperature();
        // exp(z) for z <= -104 is below half of the smallest float: its float is 0 exactly. Most of a
        // 131072-token vocabulary lies that far below the top at usual temperatures; those skip Math.exp
        // (about 10 ns each), with the same result.
        float floor = (float) (max - EXP_UNDERFLOW / invT);
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            if (l[i] < floor) { l[i] = 0f; continue; }          // -inf too
            float p = (float) Math.exp((l[i] - max) * invT);
            l[i] = Float.isNaN(p) ? 0f : p;
            total += l[i];
        }
        float minP = (float) params.minP();                 // threshold relative to the top probability (1)

        if (params.topK() == 0 && params.topP() >= 1.0) {
            // no sorting needed: draw among all tokens at or above the min-p threshold
            double kept = 0;
            for (int i = 0; i < vocab; i++) if (l[i] >= minP) kept += l[i];
            double u = random.nextDouble() * kept;
            int last = -1;
            for (int i = 0; i < vocab; i++) {
                if (l[i] < minP || l[i] == 0f) continue;
                last = i;
                u -= l[i];
                if (u < 0) return i;
            }
            return last;
        }
        long[] sorted = candidates(l, total);
        int n = sorted.length;
        double sumK = total;                                // mass top-p renormalizes over
        if (params.topK() > 0) {
            n = Math.min(n, params.topK());
            sumK = 0;
            for (int j = 0; j < n; j++) sumK += prob(sorted[j]);
        }
        if (params.topP() < 1.0) {                          // smallest prefix whose mass reaches top_p
            double target = params.topP() * sumK, cum = 0;
            int j = 0;
            while (j < n) { cum += prob(sorted[j]); j++; if (cum >= target) break; }
            n = j;
        }
        double kept = 0;
        int m = 0;
        while (m < n && prob(sorted[m]) >= minP) kept += prob(sorted[m++]);
        if (m == 0) m = 1;                                  // the top token always survives
        double u = random.nextDouble() * (kept == 0 ? prob(sorted[0]) : kept);
        for (int j = 0; j < m; j++) {
            u -= prob(sorted[j]);
            if (u < 0) return id(sorted[j]);
        }
        return id(sorted[m - 1]);
    }

    /**
     * The most likely tokens, most likely first (ties: lower id first), enough of them to hold the
     * top-k set and the top-p nucleus exactly. Avoids sorting the whole vocabulary: tokens above a
     * threshold t are at most 1/t of them; t shrinks until the kept tokens provably suffice.
     */
    private long[] candidates(float[] p, double total) {
        int k = params.topK();
        double topP = params.topP();
        for (float t = 1e-3f; ; t /= 32) {
            float threshold = t < 1e-30f ? Float.MIN_VALUE : t;
            int count = 0;
            double mass = 0;
            for (int i = 0; i < vocab; i++) if (p[i] >= threshold) { count++; mass += p[i]; }
            boolean enough = threshold == Float.MIN_VALUE         // every non-zero token is in
                    || (k > 0 && count >= k)                      // the top-k set is known; top-p works inside it
                    || (k == 0 && mass >= topP * total);          // the nucleus lies inside
            if (!enough) continue;
            long[] keys = new long[count];
            int c = 0;
            for (int i = 0; i < vocab; i++) if (p[i] >= threshold) keys[c++] = key(p[i], i);
            Arrays.sort(keys);                                    // ascending; reverse below
            for (int a = 0, b = count - 1; a < b; a++, b--) { long x = keys[a]; keys[a] = keys[b]; keys[b] = x; }
            return keys;
        }
    }

    // A candidate packed in a long that sorts by probability then by descending id (so reversed: ascending id).
    private static long key(float p, int id) {
        return ((long) Float.floatToRawIntBits(p) << 32) | (0xFFFFFFFFL & (Integer.MAX_VALUE - id));
    }

    private static float prob(long key) { return Float.intBitsToFloat((int) (key >>> 32)); }

    private static int id(long key) { return Integer.MAX_VALUE - (int) key; }
}
