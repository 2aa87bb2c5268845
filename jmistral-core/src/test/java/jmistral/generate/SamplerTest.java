package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sampler against a plain reference: the filtered distribution computed by sorting everything. */
class SamplerTest {

    /** Exact probabilities after temperature, top-k, top-p, min-p (HF order), by full sort. */
    static double[] referenceDistribution(float[] logits, SamplingParams p) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] prob = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) { prob[i] = Math.exp((logits[i] - max) / p.temperature()); total += prob[i]; }
        for (int i = 0; i < n; i++) prob[i] /= total;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        order.sort(Comparator.<Integer>comparingDouble(i -> -prob[i]).thenComparing(i -> i));
        int keep = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        double massK = 0;
        for (int j = 0; j < keep; j++) massK += prob[order.get(j)];
        if (p.topP() < 1) {
            double cum = 0;
            int j = 0;
            while (j < keep) { cum += prob[order.get(j)] / massK; j++; if (cum >= p.topP()) break; }
            keep = j;
        }
        double top = prob[order.get(0)];
        int m = 0;
        while (m < keep && prob[order.get(m)] >= p.minP() * top) m++;
        double[] out = new double[n];
        double kept = 0;
        for (int j = 0; j < m; j++) kept += prob[order.get(j)];
        for (int j = 0; j < m; j++) out[order.get(j)] = prob[order.get(j)] / kept;
        return out;
    }

    static float[] randomLogits(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * scale);
        return l;
    }

    /** Draws many tokens and holds their frequencies against the reference distribution. */
    static void assertSamplesFollow(float[] logits, SamplingParams p, int draws) {
        double[] expected = referenceDistribution(logits, p);
        int[] counts = new int[logits.length];
        Sampler s = new Sampler(p, logits.length, new int[0], null);
        for (int i = 0; i < draws; i++) counts[s.sample(logits, 0).token()]++;
        for (int t = 0; t < logits.length; t++) {
            if (expected[t] == 0) assertEquals(0, counts[t], "token " + t + " is outside the filtered set");
            double mean = expected[t] * draws, sd = Math.sqrt(draws * expected[t] * (1 - expected[t]));
            assertEquals(mean, counts[t], 5 * sd + 2, "token " + t);
        }
    }

    @Test
    void greedyPicksTheArgmaxLowestIdOnTies() {
        float[] l = {0.5f, 3f, -1f, 3f, 2.9f};
        Sampler s = new Sampler(SamplingParams.greedy(), 5, new int[0], null);
        assertEquals(1, s.sample(l, 0).token());
        // top_k = 1 is greedy too, whatever the temperature
        assertEquals(1, new Sampler(SamplingParams.defaults().withTemperature(2).withTopK(1), 5, new int[0], null).sample(l, 0).token());
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        assertSamplesFollow(randomLogits(12, 1, 1.0), SamplingParams.defaults().withTemperature(1.0).withSeed(1L), 20000);
        assertSamplesFollow(randomLogits(12, 2, 1.0), SamplingParams.defaults().withTemperature(0.5).withSeed(2L), 20000);
    }

    @Test
    void topKTopPMinPKeepExactlyTheReferenceSet() {
        float[] l = randomLogits(40, 3, 1.5);
        assertSamplesFollow(l, SamplingParams.defaults().withTemperature(1).withTopK(5).withSeed(3L), 20000);
        assertSamplesFollow(l, SamplingParams.defaults().withTemperature(1).withTopP(0.7).withSeed(4L), 20000);
        assertSamplesFollow(l, SamplingParams.defaults().withTemperature(1).withMinP(0.2).withSeed(5L), 20000);
        assertSamplesFollow(l, SamplingParams.defaults().withTemperature(0.8).withTopK(10).withTopP(0.9).withMinP(0.05).withSeed(6L), 20000);
    }

    @Test
    void nucleusOfAFlatFullVocabularyIsExact() {
        // 131072 tokens, nearly flat: the nucleus holds tens of thousands of tokens, beyond the first threshold
        float[] l = randomLogits(131072, 7, 0.3);
        SamplingParams p = SamplingParams.defaults().withTemperature(1).withTopP(0.5).withSeed(7L);
        double[] ref = referenceDistribution(l, p);
        Sampler s = new Sampler(p, l.length, new int[0], null);
        double massOfSampled = 0;
        for (int i = 0; i < 2000; i++) {
            int t = s.sample(l, 0).token();
            assertTrue(ref[t] > 0, "token " + t + " outside the nucleus");
        }
        long inNucleus = java.util.Arrays.stream(ref).filter(x -> x > 0).count();
        assertTrue(inNucleus > 10000, "test should need a large nucleus, got " + inNucleus);
    }

    @Test
    void fixedSeedReproducesAndOtherSeedsDiffer() {
        float[] l = randomLogits(64, 9, 1.0);
        SamplingParams p = SamplingParams.defaults().withTemperature(1).withSeed(42L);
        int[] a = draw(p, l, 50), b = draw(p, l, 50), c = draw(p.withSeed(43L), l, 50);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    private static int[] draw(SamplingParams p, float[] l, int n) {
        Sampler s = new Sampler(p, l.length, new int[0], null);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = s.sample(l, 0).token();
        return out;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        float[] l = {2f, -2f, 1f, 0.5f};
        BitSet seen = new BitSet();
        seen.set(0);
        seen.set(1);
        LogitsProcessors.repetitionPenalty(l, seen, 2.0);
        assertArrayEquals(new float[]{1f, -4f, 1f, 0.5f}, l);
        // through the sampler: token 0 (seen in the prompt) loses to token 2
        Sampler s = new Sampler(SamplingParams.greedy().withRepetitionPenalty(2.5), 4, new int[]{0}, null);
        assertEquals(2, s.sample(new float[]{2f, -2f, 1f, 0.5f}, 0).token());
    }

    @Test
    void presenceAndFrequencyPenaltiesCountGeneratedTokensOnly() {
        // logits favour 0, then 1; with frequency 0.6 + presence 0.5 the generated token drops each time
        SamplingParams p = SamplingParams.greedy().withFrequencyPenalty(0.6).withPresencePenalty(0.5);
        Sampler s = new Sampler(p, 3, new int[]{0, 0, 0}, null);        // prompt tokens are not penalized
        float[] l = {3f, 2f, 0f};
        int[] got = new int[6];
        for (int i = 0; i < got.length; i++) got[i] = s.sample(l, 0).token();
        // by hand: 0 (3) ; then 0: 3-1.1=1.9 < 1 : 2 -> 1 ; then 0:1.9 vs 1:0.9 -> 0 ; 0:3-1.7=1.3 vs 0.9 -> 0 ;
        // 0: 3-2.3=0.7 vs 0.9 -> 1 ; 0:0.7 vs 1: 2-1.7=0.3 -> 0
        assertArrayEquals(new int[]{0, 1, 0, 0, 1, 0}, got);
    }

    @Test
    void logprobsAreTheRawLogSoftmax() {
        float[] l = randomLogits(50, 11, 2.0);
        SamplingParams p = SamplingParams.greedy().withLogprobs(5).withRepetitionPenalty(3.0);
        Sample smp = new Sampler(p, 50, new int[]{0, 1, 2}, null).sample(l, 0);
        double lse = 0, max = Double.NEGATIVE_INFINITY;
        for (float x : l) max = Math.max(max, x);
        for (float x : l) lse += Math.exp(x - max);
        lse = max + Math.log(lse);
        Integer[] order = new Integer[50];
        for (int i = 0; i < 50; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(l[b], l[a]));
        assertEquals(5, smp.top().size());
        for (int j = 0; j < 5; j++) {
            assertEquals(order[j], smp.top().get(j).token());
            assertEquals(l[order[j]] - lse, smp.top().get(j).logprob(), 1e-5);
        }
        assertEquals(l[smp.token()] - lse, smp.logprob(), 1e-5);
        // without logprobs nothing is computed
        Sample none = new Sampler(SamplingParams.greedy(), 50, new int[0], null).sample(l, 0);
        assertTrue(Float.isNaN(none.logprob()));
        assertTrue(none.top().isEmpty());
    }

    @Test
    void logitsAtAnOffsetAreRead() {
        float[] two = new float[8];
        two[1] = 5;      // first row: token 1
        two[4 + 3] = 5;  // second row: token 3
        assertEquals(3, new Sampler(SamplingParams.greedy(), 4, new int[0], null).sample(two, 4).token());
    }

    @Test
    void constraintMasksTokensAndLearnsTheChoice() {
        List<Integer> advanced = new ArrayList<>();
        TokenConstraint onlyEven = new TokenConstraint() {
            @Override public BitSet allowedTokens() {
                BitSet b = new BitSet();
                for (int i = 0; i < 10; i += 2) b.set(i);
                return b;
            }

            @Override public void advance(int token) { advanced.add(token); }
        };
        float[] l = randomLogits(10, 13, 3.0);
        Sampler s = new Sampler(SamplingParams.defaults().withTemperature(1).withSeed(1L), 10, new int[0], onlyEven);
        for (int i = 0; i < 200; i++) assertEquals(0, s.sample(l, 0).token() % 2);
        assertEquals(200, advanced.size());
        assertTrue(advanced.stream().allMatch(t -> t % 2 == 0));

        TokenConstraint none = new TokenConstraint() {
            @Override public BitSet allowedTokens() { return new BitSet(); }
            @Override public void advance(int token) { }
        };
        assertThrows(IllegalStateException.class,
                () -> new Sampler(SamplingParams.greedy(), 10, new int[0], none).sample(l, 0));
    }

    @Test
    void badParametersAreRejectedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withTopP(0));
        assertTrue(e.getMessage().contains("top_p"));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withTemperature(-1));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withMaxTokens(-1));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.defaults().withStop(List.of("")));
        assertEquals(0.15, SamplingParams.defaults().temperature());
    }
}
