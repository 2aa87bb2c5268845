package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** VectorMath against plain scalar loops, at lengths with and without vector tails, with offsets. */
class VectorMathTest {
    static final int[] LENGTHS = {1, 7, 16, 64, 1003};
    final Random rnd = new Random(11);

    float[] random(int n) {
        return RandomWeights.vector(n, rnd);
    }

    @Test
    void dot() {
        for (int n : LENGTHS) {
            float[] a = random(n + 3), b = random(n + 5);
            double expected = 0, abs = 0;
            for (int i = 0; i < n; i++) {
                expected += (double) a[3 + i] * b[5 + i];
                abs += Math.abs((double) a[3 + i] * b[5 + i]);
            }
            assertEquals(expected, VectorMath.dot(a, 3, b, 5, n), 1e-5 * abs + 1e-7);
        }
    }

    @Test
    void rmsnorm() {
        for (int n : LENGTHS) {
            float[] x = random(n), w = random(n), out = new float[n + 2];
            double ss = 0;
            for (float v : x) ss += (double) v * v;
            double inv = 1 / Math.sqrt(ss / n + 1e-5);
            VectorMath.rmsnorm(out, 2, x, 0, w, 1e-5f, n);
            for (int i = 0; i < n; i++) assertEquals(x[i] * inv * w[i], out[2 + i], 1e-5 * Math.abs(x[i] * inv * w[i]) + 1e-6);
            float[] inPlace = x.clone();
            VectorMath.rmsnorm(inPlace, inPlace, w, 1e-5f, n);
            for (int i = 0; i < n; i++) assertEquals(out[2 + i], inPlace[i], 0f);
        }
    }

    @Test
    void softmax() {
        for (int n : LENGTHS) {
            float[] x = random(n + 1);
            for (int i = 0; i < x.length; i++) x[i] *= 10; // large logits: max subtraction matters
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 1; i <= n; i++) max = Math.max(max, x[i]);
            double[] e = new double[n];
            for (int i = 0; i < n; i++) sum += e[i] = Math.exp(x[1 + i] - max);
            VectorMath.softmaxInPlace(x, 1, n);
            double total = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(e[i] / sum, x[1 + i], 1e-6);
                total += x[1 + i];
            }
            assertEquals(1.0, total, 1e-5);
        }
    }

    @Test
    void swiglu() {
        for (int n : LENGTHS) {
            float[] g = random(n), u = random(n), expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            VectorMath.swiglu(g, u, n);
            for (int i = 0; i < n; i++) assertEquals(expected[i], g[i], 1e-6 * Math.abs(expected[i]) + 1e-7);
        }
    }

    @Test
    void addScaleAxpy() {
        for (int n : LENGTHS) {
            float[] a = random(n + 1), b = random(n + 2);
            float[] sum = a.clone(), scaled = a.clone(), axpy = a.clone();
            VectorMath.add(sum, 1, b, 2, n);
            VectorMath.scale(scaled, 1, 0.37f, n);
            VectorMath.axpy(-1.5f, b, 2, axpy, 1, n);
            assertEquals(a[0], sum[0]);
            for (int i = 0; i < n; i++) {
                assertEquals(a[1 + i] + b[2 + i], sum[1 + i], 0f);
                assertEquals(a[1 + i] * 0.37f, scaled[1 + i], 0f);
                assertEquals(a[1 + i] + -1.5f * b[2 + i], axpy[1 + i], 1e-6f * (Math.abs(a[1 + i]) + Math.abs(1.5f * b[2 + i])));
            }
        }
    }

    @Test
    void maxAndShiftedExp() {
        assertEquals(Float.NEGATIVE_INFINITY, VectorMath.max(new float[4], 1, 0));
        for (int n = 1; n <= 40; n++) {
            float[] x = random(n + 3);                         // values at [1, 1+n), one on each side
            x[n] = 7.5f;                                        // the largest sits at the end (the tail for most n)
            float expectedMax = Float.NEGATIVE_INFINITY;
            for (int i = 1; i <= n; i++) expectedMax = Math.max(expectedMax, x[i]);
            assertEquals(expectedMax, VectorMath.max(x, 1, n), "n " + n);
            float[] e = x.clone();
            float sum = VectorMath.expShiftedInPlace(e, 1, n, expectedMax);
            double expectedSum = 0;
            for (int i = 1; i <= n; i++) {
                double want = Math.exp((double) x[i] - expectedMax);
                expectedSum += want;
                assertEquals(want, e[i], 2e-6 * want + 1e-30, "exp, n " + n + ", i " + i);
            }
            assertEquals(expectedSum, sum, 2e-6 * expectedSum, "sum, n " + n);
            assertEquals(x[0], e[0], "values before off untouched");
            assertEquals(x[n + 1], e[n + 1], "values past n untouched");
        }
    }

    /** Streaming scores block by block (attention) gives the softmax of all of them at once. */
    @Test
    void onlineSoftmaxStepsEqualOneSoftmax() {
        int n = 53;
        float[] scores = random(n);
        for (int i = 0; i < n; i++) scores[i] *= 8;
        float[] whole = scores.clone();
        VectorMath.softmaxInPlace(whole, 0, n);
        float[] max = {Float.NEGATIVE_INFINITY}, sum = {0};
        float[] p = scores.clone();
        double[] rescaled = new double[n];   // what a consumer accumulates: earlier blocks times the corrections since
        for (int from = 0; from < n; from += 16) {
            int len = Math.min(16, n - from);
            float correction = VectorMath.onlineSoftmaxStep(p, from, len, max, sum, 0);
            if (from == 0) assertEquals(0f, correction, "first block: nothing to rescale");
            for (int i = 0; i < from; i++) rescaled[i] *= correction;
            for (int i = from; i < from + len; i++) rescaled[i] = p[i];
        }
        for (int i = 0; i < n; i++) assertEquals(whole[i], rescaled[i] / sum[0], 1e-6, "probability " + i);
    }
}
