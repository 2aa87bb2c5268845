package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.List;

/**
 * How characters of a JSON string value are written as bytes inside the quotes (RFC 8259): raw UTF-8 for
 * printable characters, {@code \"} and {@code \\} for the quote and backslash, short escapes or
 * {@code \\u00XX} for control characters. Length keywords count characters, so one escape = one character.
 */
final class JsonStringChars {

    private JsonStringChars() {}

    private static final CodePointSet RAW_ALLOWED =
            CodePointSet.range(0x20, CodePointSet.MAX).minus(CodePointSet.of('"', '\\'));

    /** One character of {@code set}, JSON-encoded; null when the set is empty. Never uses {@code \\u} for printable chars. */
    static Expr oneOf(CodePointSet set) {
        List<Expr> alts = new ArrayList<>();
        Expr raw = Utf8Sequences.expr(set.intersect(RAW_ALLOWED));
        if (raw != null) alts.add(raw);
        if (set.contains('"')) alts.add(Expr.literal("\\\""));
        if (set.contains('\\')) alts.add(Expr.literal("\\\\"));
        for (int c = 0; c < 0x20; c++) {
            if (!set.contains(c)) continue;
            String esc = switch (c) {
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> String.format("\\u%04x", c);
            };
            alts.add(Expr.literal(esc));
        }
        return alts.isEmpty() ? null : Expr.alt(alts);
    }

    /**
     * Any one character of a free JSON string: every form {@link #oneOf} allows for all code points, plus
     * {@code \/} and {@code \\uXXXX} for any non-surrogate BMP character (so one escape is one code point).
     */
    static Expr any() {
        return ANY;
    }

    /** One character of any kind without \\u escapes for printable chars (regex '.', free key tails). */
    static Expr anyUnescaped() {
        return ANY_UNESCAPED;
    }

    private static final Expr ANY_UNESCAPED = oneOf(CodePointSet.ALL);
    private static final Expr ANY = buildAny();

    private static Expr buildAny() {
        Expr hex = new Expr.Alt(List.of(new Expr.ByteRange('0', '9'), new Expr.ByteRange('a', 'f'),
                new Expr.ByteRange('A', 'F')));
        // first hex digit of a non-surrogate: anything but D/d, or D/d followed by 0-7
        Expr notD = new Expr.Alt(List.of(new Expr.ByteRange('0', '9'), new Expr.ByteRange('a', 'c'),
                new Expr.ByteRange('e', 'f'), new Expr.ByteRange('A', 'C'), new Expr.ByteRange('E', 'F')));
        Expr dLow = Expr.seq(Expr.alt(Expr.literal("d"), Expr.literal("D")), new Expr.ByteRange('0', '7'));
        Expr uEscape = Expr.seq(Expr.literal("\\u"),
                Expr.alt(Expr.seq(notD, hex, hex, hex), Expr.seq(dLow, hex, hex)));
        return Expr.alt(ANY_UNESCAPED, Expr.literal("\\/"), uEscape);
    }

    /** The JSON string literal (with quotes) for {@code s}, escaped as Jackson writes it. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
