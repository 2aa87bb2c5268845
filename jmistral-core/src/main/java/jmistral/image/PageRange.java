package jmistral.image;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A set of 1-based page numbers written the way print dialogs do: {@code "1-3,5"}, {@code "7"},
 * {@code "4-"} (page 4 to the end), {@code "all"}. Pages come out sorted, each once.
 */
public final class PageRange {
    private static final PageRange ALL = new PageRange(List.of(), true, "all");

    /** Parts as parsed: {from, to} with to = -1 for "to the end". */
    private final List<int[]> parts;
    private final boolean all;
    private final String text;

    private PageRange(List<int[]> parts, boolean all, String text) {
        this.parts = parts;
        this.all = all;
        this.text = text;
    }

    public static PageRange all() { return ALL; }

    /** Parses a range; a malformed one is an {@link IllegalArgumentException} naming the bad part. */
    public static PageRange parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("page range is empty");
        String t = text.strip();
        if (t.equalsIgnoreCase("all")) return ALL;
        List<int[]> parts = new ArrayList<>();
        for (String part : t.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int from, to;
            if (dash < 0) {
                from = to = page(p, text);
            } else {
                from = page(p.substring(0, dash).strip(), text);
                String end = p.substring(dash + 1).strip();
                to = end.isEmpty() ? -1 : page(end, text);
                if (to != -1 && to < from) {
                    throw new IllegalArgumentException("page range \"" + text + "\": " + p + " runs backwards");
                }
            }
            parts.add(new int[] {from, to});
        }
        return new PageRange(List.copyOf(parts), false, t);
    }

    private static int page(String s, String text) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("page range \"" + text + "\": \"" + s
                + "\" is not a page number (pages count from 1; write e.g. 1-3,5)");
    }

    /**
     * The 0-based page indices for a document of {@code pageCount} pages.
     *
     * @throws ImageInputException when a page past the end is asked for
     */
    public int[] resolve(int pageCount, String source) {
        if (all) return java.util.stream.IntStream.range(0, pageCount).toArray();
        TreeSet<Integer> pages = new TreeSet<>();
        for (int[] p : parts) {
            int to = p[1] == -1 ? pageCount : p[1];
            if (p[0] > pageCount || to > pageCount) {
                throw new ImageInputException(source + ": page " + Math.max(p[0], to) + " requested (range \""
                        + text + "\") but the document has " + pageCount + " page" + (pageCount == 1 ? "" : "s"));
            }
            for (int i = p[0]; i <= to; i++) pages.add(i - 1);
        }
        return pages.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() { return text; }
}
