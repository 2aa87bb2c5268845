package jmistral.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {

    /** Feeds pieces; returns everything released (including the final flush). */
    static String run(StopMatcher m, String... pieces) {
        StringBuilder out = new StringBuilder();
        for (String p : pieces) out.append(m.push(p));
        return out.append(m.flush()).toString();
    }

    @Test
    void stopAcrossTokenBoundariesIsCutWithEverythingAfter() {
        StopMatcher m = new StopMatcher(List.of("</end>"));
        assertEquals("hello ", run(m, "hel", "lo </", "en", "d> trailing"));
        assertTrue(m.stopped());
        assertEquals("</end>", m.matchedStop());
    }

    @Test
    void possibleStartOfAStopIsHeldBackThenReleased() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("ab", m.push("abST"));     // "ST" may start STOP
        assertEquals("", m.push("O"));          // "STO" still may
        assertEquals("STOx", m.push("x"));      // it was not a stop
        assertFalse(m.stopped());
        assertEquals("", m.push("S"));          // "S" alone may start STOP again
    }

    @Test
    void heldTextIsReleasedAtTheEnd() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("abST", run(m, "abST"));
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("zz", "b"));
        assertEquals("a", run(m, "abzz"));
        assertEquals("b", m.matchedStop());
    }

    @Test
    void withoutStopsTextPassesStraightThrough() {
        StopMatcher m = new StopMatcher(List.of());
        assertEquals("x", m.push("x"));
        assertEquals("", m.flush());
    }
}
