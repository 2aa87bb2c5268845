package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.List;

/**
 * Digit automata for "an integer in [lo, hi]" written canonically (no leading zeros, no "-0"): the usual
 * range-to-regex split by digit count, then digit by digit. Exact for any bounds that fit in a long;
 * Long.MIN_VALUE / Long.MAX_VALUE stand for "no bound" (then any number of further digits is allowed).
 */
final class IntegerRanges {

    static final long NO_MIN = Long.MIN_VALUE;
    static final long NO_MAX = Long.MAX_VALUE;

    private IntegerRanges() {}

    /** Integers n with lo <= n <= hi; null if the range is empty. */
    static Expr range(long lo, long hi) {
        if (lo != NO_MIN && hi != NO_MAX && lo > hi) return null;
        List<Expr> alts = new ArrayList<>();
        // non-negative part
        if (hi == NO_MAX || hi >= 0) {
            long a = lo == NO_MIN ? 0 : Math.max(lo, 0);
            Expr e = magnitudes(a, hi);
            if (e != null) alts.add(e);
        }
        // negative part: "-" then magnitudes in [max(1, -hi), -lo]
        if (lo == NO_MIN || lo < 0) {
            long a = hi == NO_MAX ? 1 : Math.max(1, -hi);
            long b = lo == NO_MIN ? NO_MAX : -lo;
            if (a <= b) alts.add(Expr.seq(Expr.literal("-"), magnitudes(a, b)));
        }
        return alts.isEmpty() ? null : Expr.alt(alts);
    }

    /** Canonical decimals of 0 <= a <= n <= b (b may be NO_MAX = unbounded). */
    private static Expr magnitudes(long a, long b) {
        if (b != NO_MAX && a > b) return null;
        List<Expr> alts = new ArrayList<>();
        int la = Long.toString(a).length();
        int lb = b == NO_MAX ? 19 : Long.toString(b).length();
        for (int len = la; len <= lb; len++) {
            long lo = len == la ? a : pow10(len - 1);
            long hi = (b != NO_MAX && len == lb) ? b : (len == 19 ? Long.MAX_VALUE : pow10(len) - 1);
            if (len == 19 && b == NO_MAX) {
                // 19 digits and up: the 19-digit numbers >= lo, then any longer number
                alts.add(sameLength(pad(lo, len), "9".repeat(len)));
                alts.add(Expr.seq(new Expr.ByteRange('1', '9'),
                        new Expr.Repeat(JsonGrammar.digit(), 19, -1)));
                break;
            }
            alts.add(sameLength(pad(lo, len), pad(hi, len)));
        }
        return Expr.alt(alts);
    }

    private static String pad(long v, int len) {
        String s = Long.toString(v);
        return "0".repeat(len - s.length()) + s;
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    /** Digit strings d with x <= d <= y, all of the same length. */
    private static Expr sameLength(String x, String y) {
        if (x.isEmpty()) return Expr.EMPTY;
        if (x.equals("0".repeat(x.length())) && y.equals("9".repeat(y.length()))) {
            return new Expr.Repeat(JsonGrammar.digit(), x.length(), x.length()); // full range: stops the 2^n split
        }
        char x0 = x.charAt(0), y0 = y.charAt(0);
        String xr = x.substring(1), yr = y.substring(1);
        if (x0 == y0) return Expr.seq(Expr.literal(String.valueOf(x0)), sameLength(xr, yr));
        List<Expr> alts = new ArrayList<>();
        alts.add(Expr.seq(Expr.literal(String.valueOf(x0)), sameLength(xr, "9".repeat(xr.length()))));
        if (y0 - x0 > 1) {
            alts.add(Expr.seq(new Expr.ByteRange(x0 + 1, y0 - 1), new Expr.Repeat(JsonGrammar.digit(), xr.length(),
                    xr.length())));
        }
        alts.add(Expr.seq(Expr.literal(String.valueOf(y0)), sameLength("0".repeat(yr.length()), yr)));
        return Expr.alt(alts);
    }
}
