package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a JSON-schema {@code pattern} (ECMA-262 syntax, search semantics) into a grammar for the
 * JSON-encoded string body. Supported: literals, escapes ({@code \d \w \s \D \W \S}, {@code \. \n \t \r
 * \f \v \\uXXXX}, escaped punctuation), classes {@code [a-z] [^...]}, {@code .}, quantifiers
 * {@code * + ? {m} {m,} {m,n}} (lazy forms too: same language), groups {@code (...)} / {@code (?:...)},
 * alternation, {@code ^} at the start and {@code $} at the end of a top-level alternative. A pattern
 * without {@code ^} (or {@code $}) may have anything before (after) the match, as JSON Schema says.
 * Backreferences, lookaround, named groups, flags and Unicode property classes are rejected.
 */
final class RegexSubset {

    private static final CodePointSet DIGIT = CodePointSet.range('0', '9');
    private static final CodePointSet WORD =
            DIGIT.union(CodePointSet.range('a', 'z')).union(CodePointSet.range('A', 'Z')).union(CodePointSet.of('_'));
    private static final CodePointSet SPACE = CodePointSet.of(' ', '\t', '\n', '\r', '\f', 0x0B);
    /** Unicode spaces ECMA's \s includes but Java's does not: excluded from \S so both engines agree. */
    private static final CodePointSet UNICODE_SPACE = SPACE.union(CodePointSet.of(0x85, 0xA0, 0x1680, 0x2028,
            0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF)).union(CodePointSet.range(0x2000, 0x200A));
    /** '.' matches anything but line terminators (ECMA and Java differ; exclude the union). */
    private static final CodePointSet DOT = CodePointSet.ALL.minus(CodePointSet.of('\n', '\r', 0x85, 0x2028, 0x2029));

    private final String src;
    private final String pointer;
    private int pos;

    private RegexSubset(String src, String pointer) {
        this.src = src;
        this.pointer = pointer;
    }

    /** Grammar of the string body (between the quotes) of strings matching {@code pattern}. */
    static Expr compile(String pattern, String pointer) {
        RegexSubset p = new RegexSubset(pattern, pointer);
        List<Expr> alts = new ArrayList<>();
        do {
            boolean anchoredStart = p.eat('^');
            List<Expr> seq = p.sequence(true);
            boolean anchoredEnd = p.eat('$');
            if (p.pos < p.src.length() && p.peek() != '|') throw p.error("unexpected '" + p.peek() + "'");
            Expr any = Expr.star(JsonStringChars.anyUnescaped());
            List<Expr> items = new ArrayList<>();
            if (!anchoredStart) items.add(any);
            items.addAll(seq);
            if (!anchoredEnd) items.add(any);
            alts.add(new Expr.Seq(items));
        } while (p.eat('|'));
        if (p.pos != p.src.length()) throw p.error("unexpected '" + p.peek() + "'");
        return Expr.alt(alts);
    }

    private UnsupportedSchemaException error(String what) {
        return new UnsupportedSchemaException("pattern", pointer,
                what + " at offset " + pos + " in /" + src + "/ (supported: literals, classes, \\d \\w \\s, ., "
                        + "quantifiers, groups, alternation, ^ and $ at the ends)");
    }

    private char peek() {
        return src.charAt(pos);
    }

    private boolean eat(char c) {
        if (pos < src.length() && src.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private Expr alternation() {
        List<Expr> alts = new ArrayList<>();
        do {
            alts.add(new Expr.Seq(sequence(false)));
        } while (eat('|'));
        return Expr.alt(alts);
    }

    /** Items up to '|', ')' or (at top level) a final '$'. */
    private List<Expr> sequence(boolean topLevel) {
        List<Expr> items = new ArrayList<>();
        while (pos < src.length()) {
            char c = peek();
            if (c == '|' || c == ')') break;
            if (c == '$') {
                if (topLevel) break;
                throw error("'$' inside a group");
            }
            if (c == '^') throw error("'^' is only supported at the start");
            items.add(quantified(atom()));
        }
        return items;
    }

    private Expr atom() {
        char c = src.charAt(pos++);
        switch (c) {
            case '(' -> {
                if (eat('?')) {
                    if (!eat(':')) throw error("lookaround and named groups are not supported");
                }
                Expr inner = alternation();
                if (!eat(')')) throw error("missing ')'");
                return inner;
            }
            case '[' -> {
                return chars(charClass());
            }
            case '.' -> {
                return chars(DOT);
            }
            case '\\' -> {
                return chars(escape(false));
            }
            case '*', '+', '?', '{' -> throw error("nothing to repeat");
            default -> {
                pos--;
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                return chars(CodePointSet.of(cp));
            }
        }
    }

    private Expr chars(CodePointSet set) {
        Expr e = JsonStringChars.oneOf(set);
        if (e == null) throw error("empty character class");
        return e;
    }

    private Expr quantified(Expr e) {
        while (pos < src.length()) {
            char c = peek();
            int min, max;
            if (c == '*') {
                min = 0;
                max = -1;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
                pos++;
                min = number();
                max = min;
                if (eat(',')) max = pos < src.length() && Character.isDigit(peek()) ? number() : -1;
                if (!eat('}')) throw error("malformed {m,n}");
                if (max >= 0 && max < min) throw error("{m,n} with n < m");
            } else {
                break;
            }
            eat('?'); // lazy quantifier: same language
            e = new Expr.Repeat(e, min, max);
        }
        return e;
    }

    private int number() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(peek())) pos++;
        if (pos - start > 6) throw error("repetition count too large");
        return Integer.parseInt(src.substring(start, pos));
    }

    private CodePointSet charClass() {
        boolean negate = eat('^');
        CodePointSet set = CodePointSet.EMPTY;
        boolean first = true;
        while (true) {
            if (pos >= src.length()) throw error("missing ']'");
            char c = peek();
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            CodePointSet lo = classAtom();
            if (pos + 1 < src.length() && peek() == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                CodePointSet hi = classAtom();
                if (lo.rangeCount() != 1 || lo.lo(0) != lo.hi(0) || hi.rangeCount() != 1 || hi.lo(0) != hi.hi(0)) {
                    throw error("class escape used as a range end");
                }
                if (hi.lo(0) < lo.lo(0)) throw error("range out of order");
                set = set.union(CodePointSet.range(lo.lo(0), hi.lo(0)));
            } else {
                set = set.union(lo);
            }
        }
        return negate ? set.complement() : set;
    }

    private CodePointSet classAtom() {
        char c = src.charAt(pos++);
        if (c == '\\') return escape(true);
        pos--;
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return CodePointSet.of(cp);
    }

    private CodePointSet escape(boolean inClass) {
        if (pos >= src.length()) throw error("trailing backslash");
        char c = src.charAt(pos++);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE;
            case 'S' -> UNICODE_SPACE.complement();
            case 'n' -> CodePointSet.of('\n');
            case 't' -> CodePointSet.of('\t');
            case 'r' -> CodePointSet.of('\r');
            case 'f' -> CodePointSet.of('\f');
            case 'v' -> CodePointSet.of(0x0B);
            case '0' -> CodePointSet.of(0);
            case 'b' -> {
                if (inClass) yield CodePointSet.of('\b');
                throw error("word boundary \\b is not supported");
            }
            case 'u' -> {
                if (pos + 4 > src.length()) throw error("malformed \\u escape");
                int cp;
                try {
                    cp = Integer.parseInt(src.substring(pos, pos + 4), 16);
                } catch (NumberFormatException e) {
                    throw error("malformed \\u escape");
                }
                pos += 4;
                yield CodePointSet.of(cp);
            }
            default -> {
                if (Character.isLetterOrDigit(c)) throw error("escape \\" + c + " is not supported");
                yield CodePointSet.of(c);
            }
        };
    }
}
