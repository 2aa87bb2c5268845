package jmistral.generate.constraint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns a range of code points into byte-range sequences matching exactly their UTF-8 encodings
 * (surrogates excluded), e.g. [U+0080, U+07FF] -> [C2-DF][80-BF]. The usual splitting: first at the
 * encoded-length boundaries, then until every continuation position covers a full or aligned range.
 */
final class Utf8Sequences {

    private Utf8Sequences() {}

    /** Each element is {lo0, hi0, lo1, hi1, ...}: one byte range per position. */
    static List<int[]> of(int lo, int hi) {
        List<int[]> out = new ArrayList<>();
        Deque<int[]> work = new ArrayDeque<>();
        work.push(new int[] {lo, hi});
        while (!work.isEmpty()) {
            int[] r = work.pop();
            int a = r[0], b = r[1];
            if (a > b) continue;
            // drop surrogates: they have no UTF-8 encoding
            if (a <= 0xDFFF && b >= 0xD800) {
                work.push(new int[] {0xE000, b});
                work.push(new int[] {a, 0xD7FF});
                continue;
            }
            boolean split = false;
            for (int boundary : new int[] {0x7F, 0x7FF, 0xFFFF}) {
                if (a <= boundary && b > boundary) {
                    work.push(new int[] {boundary + 1, b});
                    work.push(new int[] {a, boundary});
                    split = true;
                    break;
                }
            }
            if (split) continue;
            int len = length(a);
            for (int i = 1; i < len && !split; i++) {
                int m = (1 << (6 * i)) - 1;
                if ((a & ~m) != (b & ~m)) {
                    if ((a & m) != 0) {
                        work.push(new int[] {(a | m) + 1, b});
                        work.push(new int[] {a, a | m});
                        split = true;
                    } else if ((b & m) != m) {
                        work.push(new int[] {b & ~m, b});
                        work.push(new int[] {a, (b & ~m) - 1});
                        split = true;
                    }
                }
            }
            if (split) continue;
            byte[] ea = new String(Character.toChars(a)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] eb = new String(Character.toChars(b)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] seq = new int[2 * len];
            for (int i = 0; i < len; i++) {
                seq[2 * i] = ea[i] & 0xFF;
                seq[2 * i + 1] = eb[i] & 0xFF;
            }
            out.add(seq);
        }
        return out;
    }

    static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    /** An expression matching exactly the UTF-8 encodings of the code points in {@code set}. */
    static Expr expr(CodePointSet set) {
        List<Expr> alts = new ArrayList<>();
        for (int i = 0; i < set.rangeCount(); i++) {
            for (int[] seq : of(set.lo(i), set.hi(i))) {
                List<Expr> items = new ArrayList<>();
                for (int k = 0; k < seq.length; k += 2) items.add(new Expr.ByteRange(seq[k], seq[k + 1]));
                alts.add(items.size() == 1 ? items.get(0) : new Expr.Seq(items));
            }
        }
        if (alts.isEmpty()) return null;
        return Expr.alt(alts);
    }
}
