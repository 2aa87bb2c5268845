package jmistral.cli;

import jmistral.Printable;
import jmistral.chat.PyJson;

import java.util.ArrayList;
import java.util.List;

/** Short, readable renderings of metadata values: long arrays show their first items and a count. */
final class ValueText {
    /** Strings longer than this are cut (chat templates run to kilobytes). */
    static final int MAX_STRING = 120;

    private ValueText() {
    }

    /** Number of items in an array value (Java array or List), or -1. */
    static int count(Object v) {
        return switch (v) {
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case List<?> l -> l.size();
            case null, default -> -1;
        };
    }

    /** The first {@code n} items of an array value as a list of plain values. */
    static List<Object> head(Object v, int n) {
        int count = count(v);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < Math.min(n, count); i++) {
            items.add(switch (v) {
                case int[] a -> a[i];
                case long[] a -> a[i];
                case float[] a -> a[i];
                case double[] a -> a[i];
                case boolean[] a -> a[i];
                case List<?> l -> l.get(i);
                default -> throw new IllegalArgumentException();
            });
        }
        return items;
    }

    /** One-line text: strings quoted (and cut), arrays as [a, b, c, ... (N items)]. */
    static String format(Object v, int maxItems) {
        if (v instanceof String s) return quote(s);
        int count = count(v);
        if (count < 0) return String.valueOf(v);
        StringBuilder sb = new StringBuilder("[");
        List<Object> head = head(v, maxItems);
        for (int i = 0; i < head.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(format(head.get(i), Math.max(1, maxItems / 2)));
        }
        if (count > head.size()) sb.append(head.isEmpty() ? "" : ", ").append("... (").append(count).append(" items)");
        return sb.append(']').toString();
    }

    /** A cut string for JSON output. */
    static String cut(String s) {
        return s.length() <= MAX_STRING ? s : s.substring(0, MAX_STRING) + "... (" + s.length() + " chars)";
    }

    /** A JSON string literal (escaped as {@link PyJson#quote} does), cut after {@link #MAX_STRING} chars. */
    private static String quote(String s) {
        // PyJson escapes C0 controls; Printable also the C1 and bidi controls a terminal would act on
        if (s.length() <= MAX_STRING) return Printable.escape(PyJson.quote(s), Integer.MAX_VALUE);
        return Printable.escape(PyJson.quote(s.substring(0, MAX_STRING)), Integer.MAX_VALUE) + "... (" + s.length() + " chars)";
    }
}
