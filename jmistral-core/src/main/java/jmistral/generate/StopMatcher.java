package jmistral.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text, across token boundaries. Text that could still be the start of
 * a stop string is held back until the next piece shows whether it is; the stop string itself and
 * everything after it are never released (as OpenAI and vLLM do).
 */
public final class StopMatcher {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private String matched;

    public StopMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds the next decoded piece; returns the text that is now safe to emit (may be empty). */
    public String push(String piece) {
        if (matched != null) return "";
        held.append(piece);
        if (stops.isEmpty()) return drain(held.length());
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) { first = at; matched = s; }
        }
        if (first >= 0) {
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        return drain(held.length() - partialStopSuffix());
    }

    /** True once a stop string was found. */
    public boolean stopped() { return matched != null; }

    /** The stop string found, or null. */
    public String matchedStop() { return matched; }

    /** At the end of generation: the held-back text (no stop string can complete any more). */
    public String flush() {
        return matched != null ? "" : drain(held.length());
    }

    // Length of the longest suffix of held that is a proper prefix of some stop string.
    private int partialStopSuffix() {
        int longest = 0;
        String h = held.toString();
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, h.length()); len > longest; len--) {
                if (h.regionMatches(h.length() - len, s, 0, len)) { longest = len; break; }
            }
        }
        return longest;
    }

    private String drain(int n) {
        String out = held.substring(0, n);
        held.delete(0, n);
        return out;
    }
}
