package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LoopGuardTest {

    /** Index (1-based count of tokens fed) at which the guard fires, or -1. */
    static int firesAt(LoopGuard.Config c, int[] tokens) {
        LoopGuard g = new LoopGuard(c);
        for (int i = 0; i < tokens.length; i++) if (g.accept(tokens[i])) return i + 1;
        return -1;
    }

    static int[] repeat(int[] block, int times, int[] before) {
        int[] out = new int[before.length + block.length * times];
        System.arraycopy(before, 0, out, 0, before.length);
        for (int i = 0; i < times; i++) System.arraycopy(block, 0, out, before.length + i * block.length, block.length);
        return out;
    }

    @Test
    void sameTokenOverAndOverFiresWhenTheSpanIsReached() {
        LoopGuard.Config c = new LoopGuard.Config(32, 4, 50);
        assertEquals(50, firesAt(c, repeat(new int[]{7}, 60, new int[0])));
        assertEquals(-1, firesAt(c, repeat(new int[]{7}, 49, new int[0])));
    }

    @Test
    void repeatedSentenceFiresAfterEnoughCopies() {
        int[] sentence = new Random(1).ints(30, 0, 1000).toArray();
        int[] prefix = new Random(2).ints(100, 0, 1000).toArray();
        LoopGuard.Config c = new LoopGuard.Config(64, 4, 50);
        // period 30: needs max(50, 4 x 30) = 120 tokens of period 30 after the prefix
        assertEquals(100 + 120, firesAt(c, repeat(sentence, 10, prefix)));
        assertEquals(-1, firesAt(c, repeat(sentence, 3, prefix)));
        // a block longer than maxPeriod is not looked for
        assertEquals(-1, firesAt(new LoopGuard.Config(16, 4, 50), repeat(sentence, 10, prefix)));
    }

    @Test
    void numberedListAndRandomTextDoNotFire() {
        // "1. item\n2. item\n..." : the numbers differ, so no exact period
        int[] list = new int[400];
        for (int i = 0; i < 100; i++) { list[4 * i] = 500 + i; list[4 * i + 1] = 13; list[4 * i + 2] = 77; list[4 * i + 3] = 10; }
        assertEquals(-1, firesAt(LoopGuard.Config.DEFAULT, list));
        assertEquals(-1, firesAt(LoopGuard.Config.DEFAULT, new Random(3).ints(5000, 0, 50).toArray()));
        // a short table rule of 200 identical tokens stays under the default span
        assertEquals(-1, firesAt(LoopGuard.Config.DEFAULT, repeat(new int[]{45}, 200, new int[0])));
    }

    @Test
    void disabledNeverFires() {
        assertEquals(-1, firesAt(LoopGuard.Config.DISABLED, repeat(new int[]{1}, 5000, new int[0])));
    }
}
