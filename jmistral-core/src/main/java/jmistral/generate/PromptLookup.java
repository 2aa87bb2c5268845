package jmistral.generate;

/**
 * The drafter of {@link Speculation}: finds the newest n tokens of a history (n from maxNgram down to
 * minNgram) at an earlier place in the same history and proposes the tokens that followed them there.
 * The latest earlier occurrence wins (in repetitive output it is the one most like what comes next);
 * a continuation that reaches the newest tokens repeats with the period of the match.
 * Stateless; a scan back over the history per step, which is cheap next to a forward pass
 * (O(history x n) int compares at worst, far less in practice as most positions fail at once).
 */
final class PromptLookup {

    private PromptLookup() {
    }

    /**
     * Writes up to max draft tokens into out[0 ..) and returns how many (0 when no n-gram matches).
     *
     * @param history the sequence's tokens [0, length): prompt and output so far
     */
    static int draft(int[] history, int length, Speculation s, int max, int[] out) {
        if (max <= 0) return 0;
        for (int n = Math.min(s.maxNgram(), length - 1); n >= s.minNgram(); n--) {
            int suffix = length - n;                       // the n newest tokens are history[suffix, length)
            // an earlier occurrence starting at p (p < suffix) followed by at least one token
            for (int p = suffix - 1; p >= 0; p--) {
                if (!matches(history, p, suffix, n)) continue;
                // the continuation starts right after the match; where it runs into the newest tokens it
                // goes on with the draft itself (a repetition of period length - from keeps repeating)
                int from = p + n, period = length - from;
                for (int i = 0; i < max; i++) out[i] = i < period ? history[from + i] : out[i - period];
                return max;
            }
        }
        return 0;
    }

    private static boolean matches(int[] h, int a, int b, int n) {
        for (int i = n - 1; i >= 0; i--) if (h[a + i] != h[b + i]) return false;  // last tokens differ most often
        return true;
    }
}
