package jmistral.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids), to avoid boxing. */
public final class IntList {
    private int[] a;
    private int n;

    public IntList() { this(16); }

    public IntList(int capacity) { a = new int[Math.max(1, capacity)]; }

    public void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    public void addAll(int[] vs) {
        if (n + vs.length > a.length) a = Arrays.copyOf(a, Math.max(n + vs.length, n * 2));
        System.arraycopy(vs, 0, a, n, vs.length);
        n += vs.length;
    }

    public void addAll(IntList other) { addAll(other.toArray()); }

    public int get(int i) {
        if (i >= n) throw new IndexOutOfBoundsException(i);
        return a[i];
    }

    public void set(int i, int v) {
        if (i >= n) throw new IndexOutOfBoundsException(i);
        a[i] = v;
    }

    public int size() { return n; }

    public void clear() { n = 0; }

    public int[] toArray() { return Arrays.copyOf(a, n); }
}
