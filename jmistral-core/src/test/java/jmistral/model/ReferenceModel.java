package jmistral.model;

import jmistral.tensor.Matrix;

/**
 * The text decoder written as plainly as possible (model-arch.md section 1): f32, every weight
 * dequantized, whole sequence at once, full T x T causal attention, no cache. The yardstick for
 * TextModel. RoPE is written out per layout, independently of the Rope class.
 */
final class ReferenceModel {
    private final TextConfig c;
    private final RopeLayout layout;
    private final float[][] embed, out;      // [vocab][dim]
    private final float[][][] wq, wk, wv, wo, wg, wu, wd; // [layer][rows][cols]
    private final float[][] attnNorm, ffnNorm; // [layer][dim]
    private final float[] finalNorm;

    ReferenceModel(Checkpoint ck) {
        c = ck.config();
        layout = ck.rope();
        embed = dense(ck.embedding());
        out = dense(ck.output());
        int L = c.nLayers();
        wq = new float[L][][]; wk = new float[L][][]; wv = new float[L][][]; wo = new float[L][][];
        wg = new float[L][][]; wu = new float[L][][]; wd = new float[L][][];
        attnNorm = new float[L][]; ffnNorm = new float[L][];
        for (int l = 0; l < L; l++) {
            LayerWeights w = ck.layers()[l];
            wq[l] = dense(w.wq()); wk[l] = dense(w.wk()); wv[l] = dense(w.wv()); wo[l] = dense(w.wo());
            wg[l] = dense(w.wGate()); wu[l] = dense(w.wUp()); wd[l] = dense(w.wDown());
            attnNorm[l] = w.attnNorm(); ffnNorm[l] = w.ffnNorm();
        }
        finalNorm = ck.finalNorm();
    }

    private static float[][] dense(Matrix m) {
        float[][] d = new float[m.rows()][m.cols()];
        for (int r = 0; r < m.rows(); r++) m.dequantizeRow(r, d[r], 0);
        return d;
    }

    /** Logits [T][vocab] for every position of the sequence. */
    float[][] forward(int[] tokens) {
        int T = tokens.length, dim = c.dim(), hd = c.headDim(), H = c.nHeads(), KV = c.nKvHeads();
        float[][] x = new float[T][];
        for (int t = 0; t < T; t++) x[t] = embed[tokens[t]].clone();
        for (int l = 0; l < c.nLayers(); l++) {
            float[][] q = new float[T][], k = new float[T][], v = new float[T][];
            for (int t = 0; t < T; t++) {
                float[] n = rmsnorm(x[t], attnNorm[l]);
                q[t] = matvec(wq[l], n); k[t] = matvec(wk[l], n); v[t] = matvec(wv[l], n);
                rope(q[t], H, t); rope(k[t], KV, t);
            }
            for (int t = 0; t < T; t++) {
                float[] att = new float[H * hd];
                for (int h = 0; h < H; h++) {
                    int kvh = h / (H / KV);
                    float[] p = new float[t + 1];
                    float max = Float.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        float dot = 0;
                        for (int d = 0; d < hd; d++) dot += q[t][h * hd + d] * k[s][kvh * hd + d];
                        p[s] = dot / (float) Math.sqrt(hd);
                        max = Math.max(max, p[s]);
                    }
                    float sum = 0;
                    for (int s = 0; s <= t; s++) { p[s] = (float) Math.exp(p[s] - max); sum += p[s]; }
                    for (int s = 0; s <= t; s++)
                        for (int d = 0; d < hd; d++) att[h * hd + d] += p[s] / sum * v[s][kvh * hd + d];
                }
                float[] o = matvec(wo[l], att);
                for (int i = 0; i < dim; i++) x[t][i] += o[i];
            }
            for (int t = 0; t < T; t++) {
                float[] n = rmsnorm(x[t], ffnNorm[l]);
                float[] g = matvec(wg[l], n), u = matvec(wu[l], n);
                for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] / (1 + Math.exp(-g[i]))) * u[i];
                float[] d = matvec(wd[l], g);
                for (int i = 0; i < dim; i++) x[t][i] += d[i];
            }
        }
        float[][] logits = new float[T][];
        for (int t = 0; t < T; t++) logits[t] = matvec(out, rmsnorm(x[t], finalNorm));
        return logits;
    }

    private float[] rmsnorm(float[] x, float[] w) {
        double ss = 0;
        for (float v : x) ss += v * v;
        float inv = (float) (1 / Math.sqrt(ss / x.length + c.normEps()));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = w[i] * x[i] * inv;
        return y;
    }

    private static float[] matvec(float[][] w, float[] x) {
        float[] y = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            float s = 0;
            for (int i = 0; i < x.length; i++) s += w[r][i] * x[i];
            y[r] = s;
        }
        return y;
    }

    /** Interleaved: complex multiply of pairs (2i, 2i+1). Rotate-half (HF): y = x*cos + rotate_half(x)*sin. */
    private void rope(float[] x, int heads, int pos) {
        int hd = c.headDim(), half = hd / 2;
        for (int h = 0; h < heads; h++) {
            int b = h * hd;
            float[] src = java.util.Arrays.copyOfRange(x, b, b + hd);
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(c.ropeTheta(), 2.0 * i / hd);
                float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
                if (layout == RopeLayout.INTERLEAVED) {
                    x[b + 2 * i] = src[2 * i] * cos - src[2 * i + 1] * sin;
                    x[b + 2 * i + 1] = src[2 * i] * sin + src[2 * i + 1] * cos;
                } else {
                    x[b + i] = src[i] * cos - src[i + half] * sin;          // rotate_half: (-x2, x1)
                    x[b + i + half] = src[i + half] * cos + src[i] * sin;
                }
            }
        }
    }
}
