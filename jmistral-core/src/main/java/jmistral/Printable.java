package jmistral;

/**
 * Text from a file or a client made safe to print on one line: control characters (C0, DEL, C1, the Unicode
 * line/paragraph separators and bidirectional overrides) become {@code \xNN} / {@code \\uNNNN} escapes, so a
 * hostile name cannot move the cursor, recolour a terminal or forge log lines; and long text is cut with
 * its length noted, so one corrupt length field cannot make a megabyte error line.
 */
public final class Printable {
    /** Longest error text (after escaping) a model-file error carries. */
    public static final int MAX_MESSAGE_CHARS = 500;
    /** Longest name (tensor, key, file entry) shown inside a message. */
    public static final int MAX_NAME_CHARS = 80;

    private Printable() {}

    /** {@code s} escaped and cut to at most about {@code maxChars} characters. */
    public static String escape(String s, int maxChars) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(Math.min(s.length(), maxChars) + 16);
        int i = 0;
        for (; i < s.length() && sb.length() < maxChars; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\x%02x", (int) c));
                }
            } else if ((c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E)
                    || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || Character.isSurrogate(c) && !validPair(s, i)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
                if (Character.isHighSurrogate(c)) sb.append(s.charAt(++i)); // validPair said the low half follows
            }
        }
        if (i < s.length()) sb.append("... (").append(s.length()).append(" chars)");
        return sb.toString();
    }

    /** A name from a file, escaped and cut to {@link #MAX_NAME_CHARS}. */
    public static String name(String s) {
        return escape(s, MAX_NAME_CHARS);
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
}
