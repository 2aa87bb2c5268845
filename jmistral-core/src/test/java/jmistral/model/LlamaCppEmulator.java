package jmistral.model;

import jmistral.model.LlamaCppNumerics.Activations;
import jmistral.model.LlamaCppNumerics.Detail;
import jmistral.model.TensorNames.LayerPart;
import jmistral.tensor.Float16;
import jmistral.tensor.GgmlType;
import jmistral.tensor.Matrix;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The text decoder computed the way llama.cpp's CPU backend computes it (test oracle for the zoo
 * fixtures): plain scalar loops like {@link ReferenceModel}, one token at a time with an f32 KV cache,
 * but every matrix product sees its activations through {@link LlamaCppNumerics#convert} (with the
 * chosen {@link Detail}s) and RoPE angles are built the way ggml_rope_cache_init builds them
 * (theta = pos, then theta *= powf(base, -2/head_dim) per pair, all f32) when
 * {@link Detail#FLOAT_ROPE_ANGLES} is on. With no details it is an independent f32 reference forward.
 */
final class LlamaCppEmulator {
    /** A weight matrix: its type, its rows dequantized, and for Q4_1/Q5_1 each block's minimum m. */
    private record Weights(GgmlType type, float[][] rows, float[][] blockMins) {
        static Weights of(Matrix m, TensorView raw) {
            float[][] rows = new float[m.rows()][m.cols()];
            for (int r = 0; r < rows.length; r++) m.dequantizeRow(r, rows[r], 0);
            float[][] mins = null;
            if (m.type() == GgmlType.Q4_1 || m.type() == GgmlType.Q5_1) {
                // block_q4_1 / block_q5_1 start with fp16 d then fp16 m
                int blocks = m.cols() / 32, bytes = m.type().blockBytes;
                MemorySegment data = raw.data();
                mins = new float[m.rows()][blocks];
                for (int r = 0; r < m.rows(); r++) {
                    for (int b = 0; b < blocks; b++) {
                        long at = ((long) r * blocks + b) * bytes + 2;
                        mins[r][b] = Float16.toFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                    }
                }
            }
            return new Weights(m.type(), rows, mins);
        }
    }

    private final TextConfig c;
    private final RopeLayout layout;
    private final Set<Detail> details;
    private final Weights embed, out;
    private final Weights[][] layers; // [layer][q, k, v, o, gate, up, down]
    private final float[][] attnNorm, ffnNorm;
    private final float[] finalNorm;

    LlamaCppEmulator(Checkpoint ck, TensorSource raw, TensorNames names, Set<Detail> details) {
        this.c = ck.config();
        this.layout = ck.rope();
        this.details = details;
        embed = Weights.of(ck.embedding(), raw.tensors().get(names.embedding()));
        out = Weights.of(ck.output(), raw.tensors().get(names.output()));
        int L = c.nLayers();
        layers = new Weights[L][];
        attnNorm = new float[L][];
        ffnNorm = new float[L][];
        LayerPart[] parts = {LayerPart.Q, LayerPart.K, LayerPart.V, LayerPart.O, LayerPart.GATE, LayerPart.UP, LayerPart.DOWN};
        for (int l = 0; l < L; l++) {
            LayerWeights w = ck.layers()[l];
            Matrix[] ms = {w.wq(), w.wk(), w.wv(), w.wo(), w.wGate(), w.wUp(), w.wDown()};
            layers[l] = new Weights[ms.length];
            for (int i = 0; i < ms.length; i++) layers[l][i] = Weights.of(ms[i], raw.tensors().get(names.layer(l, parts[i])));
            attnNorm[l] = w.attnNorm();
            ffnNorm[l] = w.ffnNorm();
        }
        finalNorm = ck.finalNorm();
    }

    /** The same weights with other details. */
    private LlamaCppEmulator(LlamaCppEmulator o, Set<Detail> details) {
        this.c = o.c; this.layout = o.layout; this.details = details;
        this.embed = o.embed; this.out = o.out; this.layers = o.layers;
        this.attnNorm = o.attnNorm; this.ffnNorm = o.ffnNorm; this.finalNorm = o.finalNorm;
    }

    LlamaCppEmulator with(Set<Detail> details) {
        return new LlamaCppEmulator(this, details);
    }

    /** A new sequence (empty KV cache) for {@link LlamaCppFixture}. */
    LlamaCppFixture.Sequence sequence() {
        return new Sequence();
    }

    private final class Sequence implements LlamaCppFixture.Sequence {
        private final List<List<float[]>> keys = new ArrayList<>(), values = new ArrayList<>(); // [layer][pos][nKv*hd]

        Sequence() {
            for (int l = 0; l < c.nLayers(); l++) { keys.add(new ArrayList<>()); values.add(new ArrayList<>()); }
        }

        @Override
        public float[] prefill(int[] prompt) {
            for (int i = 0; i < prompt.length - 1; i++) step(prompt[i], false);
            return step(prompt[prompt.length - 1], true);
        }

        @Override
        public float[] append(int token) {
            return step(token, true);
        }

        /** Runs one token at the next position; its logits [vocab] when asked for (else null). */
        private float[] step(int token, boolean logits) {
            int pos = keys.getFirst().size(), dim = c.dim(), hd = c.headDim(), H = c.nHeads(), KV = c.nKvHeads();
            float[] x = embed.rows[token].clone(); // get_rows: the dequantized row
            for (int l = 0; l < c.nLayers(); l++) {
                Weights[] w = layers[l];
                float[] n = rmsnorm(x, attnNorm[l]);
                float[] q = mul(w[0], n), k = mul(w[1], n), v = mul(w[2], n);
                rope(q, H, pos);
                rope(k, KV, pos);
                keys.get(l).add(k);
                values.get(l).add(v);
                float[] att = attend(q, keys.get(l), values.get(l));
                float[] o = mul(w[3], att);
                for (int i = 0; i < dim; i++) x[i] += o[i];
                n = rmsnorm(x, ffnNorm[l]);
                float[] g = mul(w[4], n), u = mul(w[5], n);
                for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] / (1 + Math.exp(-g[i]))) * u[i];
                float[] d = mul(w[6], g);
                for (int i = 0; i < dim; i++) x[i] += d[i];
            }
            return logits ? mul(out, rmsnorm(x, finalNorm)) : null;
        }

        /** -fa off: kq = K·q (f32), softmax(kq * scale) with a double sum, kqv = V·p. */
        private float[] attend(float[] q, List<float[]> ks, List<float[]> vs) {
            int hd = c.headDim(), H = c.nHeads(), KV = c.nKvHeads(), T = ks.size();
            float scale = (float) (1.0 / Math.sqrt(hd));
            float[] att = new float[H * hd];
            for (int h = 0; h < H; h++) {
                int kvh = h / (H / KV);
                float[] p = new float[T];
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < T; s++) {
                    float dot = 0;
                    for (int d = 0; d < hd; d++) dot += q[h * hd + d] * ks.get(s)[kvh * hd + d];
                    p[s] = dot * scale;
                    max = Math.max(max, p[s]);
                }
                double sum = 0;
                for (int s = 0; s < T; s++) { p[s] = (float) Math.exp(p[s] - max); sum += p[s]; }
                float inv = (float) (1 / sum);
                for (int s = 0; s < T; s++) {
                    float ps = p[s] * inv;
                    for (int d = 0; d < hd; d++) att[h * hd + d] += ps * vs.get(s)[kvh * hd + d];
                }
            }
            return att;
        }
    }

    /** y = W·x with x converted as llama.cpp converts it for W's type. */
    private float[] mul(Weights w, float[] x) {
        Activations a = LlamaCppNumerics.convert(w.type, x, details);
        float[] y = new float[w.rows.length];
        for (int r = 0; r < y.length; r++) {
            float[] row = w.rows[r];
            double s = 0;
            for (int i = 0; i < row.length; i++) s += row[i] * a.values()[i];
            if (a.sumOverhang() != null) {
                for (int b = 0; b < a.sumOverhang().length; b++) s += w.blockMins[r][b] * a.sumOverhang()[b];
            }
            y[r] = (float) s;
        }
        return y;
    }

    /** ggml_compute_forward_rms_norm_f32 (double sum of f32 squares, f32 scale), then the weight multiply. */
    private float[] rmsnorm(float[] x, float[] w) {
        double sum = 0;
        for (float v : x) sum += v * v;
        float mean = (float) (sum / x.length);
        float scale = (float) (1.0 / Math.sqrt(mean + (float) c.normEps()));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * scale * w[i];
        return y;
    }

    private void rope(float[] x, int heads, int pos) {
        int hd = c.headDim(), half = hd / 2;
        float[] cos = new float[half], sin = new float[half];
        if (details.contains(Detail.FLOAT_ROPE_ANGLES)) {
            float thetaScale = (float) Math.pow((float) c.ropeTheta(), -2.0f / hd); // powf
            float theta = pos;
            for (int i = 0; i < half; i++) {
                cos[i] = (float) Math.cos(theta);
                sin[i] = (float) Math.sin(theta);
                theta *= thetaScale;
            }
        } else {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(c.ropeTheta(), 2.0 * i / hd);
                cos[i] = (float) Math.cos(angle);
                sin[i] = (float) Math.sin(angle);
            }
        }
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                int a = h * hd + layout.first(i, hd), b = h * hd + layout.second(i, hd);
                float x0 = x[a], x1 = x[b];
                x[a] = x0 * cos[i] - x1 * sin[i];
                x[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
