package jmistral.tokenizer;

/**
 * The Tekken pre-tokenizer: a hand-written scanner equivalent to the (backtracking, leftmost-first)
 * regular expression of {@code tekken.json}:
 * <pre>
 * A  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
 * B |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
 * C |\p{N}
 * D | ?[^\s\p{L}\p{N}]+[\r\n/]*
 * E |\s*[\r\n]+
 * F |\s+(?!\S)
 * G |\s+
 * </pre>
 * Every position starts a match, so the text is cut into consecutive pieces; {@link #pieceEnd} returns
 * where the piece starting at a char index ends. {@code \s} is Unicode White_Space (as in Rust's regex,
 * which tiktoken uses), letters/numbers/marks use Java's Unicode tables.
 * Naming below: "upper" = [Lu Lt Lm Lo M] (the run before the lowercase part), "lower" = [Ll Lm Lo M],
 * "prefix" = [^\r\n L N], "other" = [^\s L N].
 */
final class TekkenSplitter {
    static final String PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final int UPPER = 1, LOWER = 2, LETTER = 4, NUMBER = 8, SPACE = 16, CRLF = 32;
    private static final byte[] BMP = new byte[65536];

    static {
        for (int c = 0; c < 65536; c++) BMP[c] = (byte) computeFlags(c);
    }

    private TekkenSplitter() {}

    private static int computeFlags(int cp) {
        int f = 0;
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.TITLECASE_LETTER -> f = UPPER | LETTER;
            case Character.LOWERCASE_LETTER -> f = LOWER | LETTER;
            case Character.MODIFIER_LETTER, Character.OTHER_LETTER -> f = UPPER | LOWER | LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> f = UPPER | LOWER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> f = NUMBER;
            default -> { }
        }
        if (isWhiteSpace(cp)) f |= SPACE;
        if (cp == '\r' || cp == '\n') f |= CRLF;
        return f;
    }

    /** The Unicode White_Space property (what {@code \s} means in Rust's and Python's regex engines). */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    private static int flags(int cp) { return cp < 65536 ? BMP[cp] : computeFlags(cp); }

    private static boolean isPrefix(int f) { return (f & (CRLF | LETTER | NUMBER)) == 0; }

    private static boolean isOther(int f) { return (f & (SPACE | LETTER | NUMBER)) == 0; }

    /** End (exclusive char index) of the piece that starts at {@code start} (< s.length()). */
    static int pieceEnd(String s, int start) {
        int n = s.length();
        int c = s.codePointAt(start);
        int f = flags(c);
        int afterFirst = start + Character.charCount(c);
        int e;
        // A then B, each first with the optional prefix char, then without it (regex backtracking order)
        if (isPrefix(f) && (e = upperThenLower(s, afterFirst, n)) >= 0) return e;
        if ((e = upperThenLower(s, start, n)) >= 0) return e;
        if (isPrefix(f) && (e = upperRun(s, afterFirst, n)) >= 0) return e;
        if ((e = upperRun(s, start, n)) >= 0) return e;
        if ((f & NUMBER) != 0) return afterFirst;                                         // C
        if (c == ' ' && afterFirst < n && isOther(flags(s.codePointAt(afterFirst))))
            return otherRun(s, afterFirst, n);                                            // D with space
        if (isOther(f)) return otherRun(s, start, n);                                     // D
        // c is white space: E, F, G
        int i = start, lastCrlfEnd = -1, lastStart = start;
        while (i < n) {
            int cp = s.codePointAt(i);
            int ff = flags(cp);
            if ((ff & SPACE) == 0) break;
            lastStart = i;
            i += Character.charCount(cp);
            if ((ff & CRLF) != 0) lastCrlfEnd = i;
        }
        if (lastCrlfEnd >= 0) return lastCrlfEnd;                                         // E
        if (i == n || lastStart == start) return i;                                       // F at end, or G
        return lastStart;                                                                 // F: leave one for the next piece
    }

    /** {@code [upper]*[lower]+} from i with backtracking; -1 when it cannot match. */
    private static int upperThenLower(String s, int i, int n) {
        int lastLowerEnd = -1;
        while (i < n) {
            int cp = s.codePointAt(i);
            int f = flags(cp);
            if ((f & UPPER) == 0) {
                if ((f & LOWER) != 0) return lowerRun(s, i, n);
                break;
            }
            i += Character.charCount(cp);
            if ((f & LOWER) != 0) lastLowerEnd = i;
        }
        return lastLowerEnd;   // give the last char that is also "lower" back to [lower]+
    }

    /** {@code [upper]+[lower]*} from i; -1 when i does not start an upper run. */
    private static int upperRun(String s, int i, int n) {
        int j = i;
        while (j < n) {
            int cp = s.codePointAt(j);
            if ((flags(cp) & UPPER) == 0) break;
            j += Character.charCount(cp);
        }
        return j == i ? -1 : lowerRun(s, j, n);
    }

    private static int lowerRun(String s, int i, int n) {
        while (i < n) {
            int cp = s.codePointAt(i);
            if ((flags(cp) & LOWER) == 0) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    /** {@code [^\s L N]+[\r\n/]*} from i (i starts an "other" char). */
    private static int otherRun(String s, int i, int n) {
        while (i < n) {
            int cp = s.codePointAt(i);
            if (!isOther(flags(cp))) break;
            i += Character.charCount(cp);
        }
        while (i < n && (s.charAt(i) == '\r' || s.charAt(i) == '\n' || s.charAt(i) == '/')) i++;
        return i;
    }
}
