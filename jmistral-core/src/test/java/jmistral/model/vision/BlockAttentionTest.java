package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jmistral.model.RopeLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiled, packed attention (with its RoPE) against a plain double-precision attention: RoPE from
 * the angle formula, full softmax per query. Sizes leave partial query and key tiles, several key
 * tiles, and head sizes that are and are not a multiple of the vector width.
 */
class BlockAttentionTest {

    @ParameterizedTest
    @CsvSource({
        "13, 23, 3, 64, INTERLEAVED",    // 299 patches: 3 key tiles, the last partial
        "13, 23, 3, 64, ROTATE_HALF",
        "7, 9, 2, 16, INTERLEAVED",      // 63 patches: less than one tile of either kind
        "7, 9, 2, 16, ROTATE_HALF",
        "11, 12, 2, 24, INTERLEAVED",    // head size 24: padded dims, scalar RoPE
        "11, 12, 2, 24, ROTATE_HALF",
    })
    void matchesPlainAttention(int rows, int cols, int heads, int headDim, RopeLayout layout) {
        int n = rows * cols, dim = heads * headDim;
        Random rnd = new Random(n * 31L + headDim);
        float[] q = new float[n * dim], k = new float[n * dim], v = new float[n * dim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian() * 2;    // large enough that the softmax is peaked
            k[i] = (float) rnd.nextGaussian() * 2;
            v[i] = (float) rnd.nextGaussian();
        }
        float[] out = new float[n * dim];
        double theta = 1e4;
        new BlockAttention(n, heads, headDim).attend(q, k, v, new Rope2d(rows, cols, headDim, theta, layout), out);

        double[] qr = rope(q, rows, cols, heads, headDim, theta, layout), kr = rope(k, rows, cols, heads, headDim, theta, layout);
        double maxAbs = 0, maxDiff = 0;
        for (int h = 0; h < heads; h++)
            for (int t = 0; t < n; t++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int u = 0; u < n; u++) {
                    double dot = 0;
                    for (int i = 0; i < headDim; i++) dot += qr[t * dim + h * headDim + i] * kr[u * dim + h * headDim + i];
                    s[u] = dot / Math.sqrt(headDim);
                    max = Math.max(max, s[u]);
                }
                for (int u = 0; u < n; u++) sum += s[u] = Math.exp(s[u] - max);
                for (int i = 0; i < headDim; i++) {
                    double e = 0;
                    for (int u = 0; u < n; u++) e += s[u] / sum * v[u * dim + h * headDim + i];
                    maxAbs = Math.max(maxAbs, Math.abs(e));
                    maxDiff = Math.max(maxDiff, Math.abs(e - out[t * dim + h * headDim + i]));
                }
            }
        assertTrue(maxDiff <= 2e-5 * maxAbs, "max diff " + maxDiff + " vs max magnitude " + maxAbs);
    }

    /** Pair j = (first, second) of the layout; j < hd/4 turns by row, the rest by col (model-arch.md 2). */
    private static double[] rope(float[] x, int rows, int cols, int heads, int hd, double theta, RopeLayout layout) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i];
        for (int t = 0; t < rows * cols; t++)
            for (int h = 0; h < heads; h++)
                for (int j = 0; j < hd / 2; j++) {
                    double angle = j < hd / 4 ? (t / cols) * Math.pow(theta, -4.0 * j / hd)
                            : (t % cols) * Math.pow(theta, -(4.0 * (j - hd / 4) + 2) / hd);
                    int i0 = t * heads * hd + h * hd + layout.first(j, hd), i1 = t * heads * hd + h * hd + layout.second(j, hd);
                    double a = y[i0], b = y[i1];
                    y[i0] = a * Math.cos(angle) - b * Math.sin(angle);
                    y[i1] = a * Math.sin(angle) + b * Math.cos(angle);
                }
        return y;
    }
}
