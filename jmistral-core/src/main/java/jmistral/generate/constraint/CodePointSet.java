package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.List;

/** An immutable set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges. */
final class CodePointSet {

    static final int MAX = 0x10FFFF;
    static final CodePointSet EMPTY = new CodePointSet(new int[0]);
    static final CodePointSet ALL = range(0, MAX);

    /** [lo0, hi0, lo1, hi1, ...] */
    private final int[] ranges;

    private CodePointSet(int[] ranges) {
        this.ranges = ranges;
    }

    static CodePointSet range(int lo, int hi) {
        return new CodePointSet(new int[] {lo, hi});
    }

    static CodePointSet of(int... codePoints) {
        CodePointSet s = EMPTY;
        for (int c : codePoints) s = s.union(range(c, c));
        return s;
    }

    int rangeCount() {
        return ranges.length / 2;
    }

    int lo(int i) {
        return ranges[2 * i];
    }

    int hi(int i) {
        return ranges[2 * i + 1];
    }

    boolean isEmpty() {
        return ranges.length == 0;
    }

    boolean contains(int c) {
        for (int i = 0; i < ranges.length; i += 2) if (c >= ranges[i] && c <= ranges[i + 1]) return true;
        return false;
    }

    CodePointSet union(CodePointSet o) {
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < rangeCount(); i++) all.add(new int[] {lo(i), hi(i)});
        for (int i = 0; i < o.rangeCount(); i++) all.add(new int[] {o.lo(i), o.hi(i)});
        all.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : all) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
            else merged.add(new int[] {r[0], r[1]});
        }
        int[] out = new int[merged.size() * 2];
        for (int i = 0; i < merged.size(); i++) {
            out[2 * i] = merged.get(i)[0];
            out[2 * i + 1] = merged.get(i)[1];
        }
        return new CodePointSet(out);
    }

    CodePointSet complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < rangeCount(); i++) {
            if (lo(i) > next) {
                out.add(next);
                out.add(lo(i) - 1);
            }
            next = hi(i) + 1;
        }
        if (next <= MAX) {
            out.add(next);
            out.add(MAX);
        }
        return new CodePointSet(out.stream().mapToInt(Integer::intValue).toArray());
    }

    CodePointSet intersect(CodePointSet o) {
        return complement().union(o.complement()).complement();
    }

    CodePointSet minus(CodePointSet o) {
        return intersect(o.complement());
    }
}
