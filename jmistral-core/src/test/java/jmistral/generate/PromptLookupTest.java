package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The n-gram drafter against drafts worked out by hand. */
class PromptLookupTest {

    private static int[] draft(int[] history, int max) {
        return draft(history, max, new Speculation(8, 2, 4, 16));
    }

    private static int[] draft(int[] history, int max, Speculation s) {
        int[] out = new int[Math.max(max, 0)];
        int n = PromptLookup.draft(history, history.length, s, max, out);
        return Arrays.copyOf(out, n);
    }

    @Test
    void continuesTheLatestEarlierOccurrenceOfTheLongestMatch() {
        // newest tokens 7 8 9: "8 9" occurs at 1 (then 4) and "7 8 9" at 5 (then 6): the longer match wins
        int[] h = {1, 8, 9, 4, 0, 7, 8, 9, 6, 5, 3, 7, 8, 9};
        assertArrayEquals(new int[]{6, 5, 3}, draft(h, 3));
        // two occurrences of the same length: the latest one
        int[] g = {3, 4, 10, 11, 3, 4, 20, 21, 3, 4};
        assertArrayEquals(new int[]{20, 21, 3, 4}, draft(g, 4));
    }

    @Test
    void aContinuationReachingTheNewestTokensRepeatsWithItsPeriod() {
        int[] h = {1, 2, 5, 6, 7, 5, 6, 7, 5, 6};        // period 3: the match "7 5 6" at 4 continues "7 5 6"
        assertArrayEquals(new int[]{7, 5, 6, 7, 5, 6, 7}, draft(h, 7));
        int[] same = {4, 9, 9, 9};
        assertArrayEquals(new int[]{9, 9, 9, 9, 9}, draft(same, 5));
    }

    @Test
    void noMatchNoRoomOrTooShortAMatchGiveNoDraft() {
        assertEquals(0, draft(new int[]{1, 2, 3, 4, 5, 6}, 8).length);
        assertEquals(0, draft(new int[]{1, 2, 3, 1, 2}, 0).length);
        assertEquals(0, draft(new int[]{5}, 4).length);
        // "9 3" recurs but only one token "3" ends the history twice: below the 2-token minimum
        assertEquals(0, draft(new int[]{9, 3, 7, 3}, 4).length);
        assertArrayEquals(new int[]{7, 3}, draft(new int[]{9, 3, 7, 3}, 2, new Speculation(8, 1, 4, 16)));
    }
}
