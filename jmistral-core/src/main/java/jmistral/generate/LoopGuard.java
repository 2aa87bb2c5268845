package jmistral.generate;

/**
 * Detects degenerate repetition: the newest tokens are one block of p tokens repeated over and over
 * (p = 1: the same token; p = 40: the same sentence). The model card reports such endless
 * generations in about 1% of cases; the scheduler ends them with {@link FinishReason#LOOP}.
 *
 * <p>A repetition of period p triggers when it spans at least {@code minSpan} tokens and at least
 * {@code minRepeats} copies. Legit output repeats short patterns too (rows of a table, runs of "0, "
 * in code, "----"), hence the span: 256 tokens of one exact block is far beyond what lists and code
 * do (their lines differ in numbers and names), while a real loop reaches it in seconds.
 *
 * <p>Cost: O(maxPeriod) per token. For each period p, run[p] counts how many consecutive newest
 * tokens equal the token p places earlier; the newest run[p] + p tokens then have period p.
 */
public final class LoopGuard {

    /**
     * @param maxPeriod  longest repeated block looked for, in tokens (0 disables the guard)
     * @param minRepeats copies of the block needed at least
     * @param minSpan    tokens the repetition must cover at least
     */
    public record Config(int maxPeriod, int minRepeats, int minSpan) {
        public static final Config DEFAULT = new Config(256, 4, 256);
        public static final Config DISABLED = new Config(0, 0, 0);

        public Config {
            if (maxPeriod < 0 || minRepeats < 0 || minSpan < 0)
                throw new IllegalArgumentException("loop guard settings must be >= 0");
            if (maxPeriod > 0 && minRepeats < 2)
                throw new IllegalArgumentException("loop guard needs minRepeats >= 2, got " + minRepeats);
        }
    }

    private final Config config;
    private final int[] history;   // ring of the last maxPeriod + 1 tokens
    private final int[] run;       // [maxPeriod + 1] run[p]: newest tokens equal to the one p before
    private long count;

    public LoopGuard(Config config) {
        this.config = config;
        this.history = new int[config.maxPeriod() + 1];
        this.run = new int[config.maxPeriod() + 1];
    }

    /** Adds the newest generated token; true when the output is now a degenerate loop. */
    public boolean accept(int token) {
        int maxP = config.maxPeriod();
        if (maxP == 0) return false;
        boolean loop = false;
        for (int p = 1; p <= maxP; p++) {
            if (count >= p && history[(int) ((count - p) % history.length)] == token) {
                run[p]++;
                long span = (long) run[p] + p;     // tokens with period p at the end
                if (span >= config.minSpan() && span >= (long) config.minRepeats() * p) loop = true;
            } else {
                run[p] = 0;
            }
        }
        history[(int) (count % history.length)] = token;
        count++;
        return loop;
    }
}
