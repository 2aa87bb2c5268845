package jmistral.model.vision;

import java.lang.foreign.ValueLayout;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

/**
 * Plain double-precision Pixtral tower + projector written straight from the formulas in
 * research/model-arch.md sections 2-3 (loops, full softmax per query, torch-unfold merge), reading
 * F32 weights directly from the tensor bytes. Slow; only for tests.
 */
final class ScalarVisionReference {
    private final TensorSource src;
    private final VisionConfig c;

    ScalarVisionReference(TensorSource src, VisionConfig c) {
        this.src = src;
        this.c = c;
    }

    private final java.util.Map<String, double[]> cache = new java.util.HashMap<>();

    private double[] f32(String name) {
        return cache.computeIfAbsent(name, this::read);
    }

    private double[] read(String name) {
        TensorView t = src.find(name).orElseThrow();
        if (t.type() != GgmlType.F32) throw new IllegalStateException("reference reads F32 only: " + t);
        double[] v = new double[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) v[i] = t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        return v;
    }

    /** y[t][o] = sum_i W[o][i] x[t][i]; W is [out][in] row-major. */
    private static double[][] linear(double[][] x, double[] w, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++)
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) s += w[o * in + i] * x[t][i];
                y[t][o] = s;
            }
        return y;
    }

    private double[][] rms(double[][] x, double[] weight) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) ss += v * v;
            double inv = 1 / Math.sqrt(ss / x[t].length + c.eps());
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) y[t][i] = x[t][i] * inv * weight[i];
        }
        return y;
    }

    /** Vision features [rows*cols][hidden] for a CHW image of H x W pixels. */
    double[][] encode(float[] chw, int height, int width) {
        int p = c.patchSize(), rows = height / p, cols = width / p, n = rows * cols, d = c.hidden();
        double[] conv = f32("v.patch_embd.weight");   // PyTorch [d][3][p][p]
        double[][] x = new double[n][d];
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < cols; col++)
                for (int o = 0; o < d; o++) {
                    double s = 0;
                    for (int ch = 0; ch < 3; ch++)
                        for (int ky = 0; ky < p; ky++)
                            for (int kx = 0; kx < p; kx++)
                                s += conv[((o * 3 + ch) * p + ky) * p + kx]
                                        * chw[(ch * height + r * p + ky) * width + col * p + kx];
                    x[r * cols + col][o] = s;
                }
        x = rms(x, f32("v.pre_ln.weight"));
        int heads = c.heads(), hd = c.headDim();
        for (int l = 0; l < c.layers(); l++) {
            String b = "v.blk." + l + ".";
            double[][] h = rms(x, f32(b + "ln1.weight"));
            double[][] q = linear(h, f32(b + "attn_q.weight"), d);
            double[][] k = linear(h, f32(b + "attn_k.weight"), d);
            double[][] v = linear(h, f32(b + "attn_v.weight"), d);
            for (int t = 0; t < n; t++) { rope(q[t], t / cols, t % cols); rope(k[t], t / cols, t % cols); }
            double[][] att = new double[n][d];
            for (int head = 0; head < heads; head++)
                for (int t = 0; t < n; t++) {
                    double[] s = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < n; u++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += q[t][head * hd + i] * k[u][head * hd + i];
                        s[u] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u < n; u++) { s[u] = Math.exp(s[u] - max); sum += s[u]; }
                    for (int u = 0; u < n; u++)
                        for (int i = 0; i < hd; i++) att[t][head * hd + i] += s[u] / sum * v[u][head * hd + i];
                }
            add(x, linear(att, f32(b + "attn_out.weight"), d));
            h = rms(x, f32(b + "ln2.weight"));
            double[][] g = linear(h, f32(b + "ffn_gate.weight"), c.ffn());
            double[][] up = linear(h, f32(b + "ffn_up.weight"), c.ffn());
            for (int t = 0; t < n; t++)
                for (int i = 0; i < c.ffn(); i++) g[t][i] = g[t][i] / (1 + Math.exp(-g[t][i])) * up[t][i];
            add(x, linear(g, f32(b + "ffn_down.weight"), d));
        }
        return x;
    }

    /** Interleaved pairs: pair j < hd/4 turns by row*theta^(-4j/hd), the others by col*theta^(-(4(j-hd/4)+2)/hd). */
    private void rope(double[] vec, int row, int col) {
        int hd = c.headDim();
        for (int head = 0; head < c.heads(); head++)
            for (int j = 0; j < hd / 2; j++) {
                double angle = j < hd / 4
                        ? row * Math.pow(c.ropeTheta(), -4.0 * j / hd)
                        : col * Math.pow(c.ropeTheta(), -(4.0 * (j - hd / 4) + 2) / hd);
                int i0 = head * hd + 2 * j;
                double a = vec[i0], b = vec[i0 + 1];
                vec[i0] = a * Math.cos(angle) - b * Math.sin(angle);
                vec[i0 + 1] = a * Math.sin(angle) + b * Math.cos(angle);
            }
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) for (int i = 0; i < x[t].length; i++) x[t][i] += y[t][i];
    }

    /** Projector: rms, torch unfold(kernel 2, stride 2) + transpose, linear, exact GELU, linear. */
    double[][] project(double[][] features, int rows, int cols) {
        int d = c.hidden();
        double[][] f = rms(features, f32("mm.input_norm.weight"));
        int L = (rows / 2) * (cols / 2);
        double[][] unfolded = new double[L][4 * d];   // unfold gives [(ch, ki, kj)][L]; transposed here
        for (int ch = 0; ch < d; ch++)
            for (int ki = 0; ki < 2; ki++)
                for (int kj = 0; kj < 2; kj++)
                    for (int l = 0; l < L; l++) {
                        int bi = l / (cols / 2), bj = l % (cols / 2);
                        unfolded[l][(ch * 2 + ki) * 2 + kj] = f[(2 * bi + ki) * cols + 2 * bj + kj][ch];
                    }
        double[][] y = linear(unfolded, f32("mm.patch_merger.weight"), d);
        y = linear(y, f32("mm.1.weight"), c.projectionDim());
        for (double[] row : y) for (int i = 0; i < row.length; i++) row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
        return linear(y, f32("mm.2.weight"), c.projectionDim());
    }

    /** erf by its Taylor series (|x| < 3) or the continued fraction of erfc (|x| >= 3). */
    static double erf(double x) {
        double ax = Math.abs(x), r;
        if (ax < 3) {
            double term = ax, sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double frac = 0;   // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
            for (int k = 120; k >= 1; k--) frac = (k / 2.0) / (ax + frac);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + frac);
        }
        return x < 0 ? -r : r;
    }
}
