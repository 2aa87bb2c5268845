package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Small vector operations on f32 activations (float[] with offsets), Vector API with scalar tails.
 * Every method has a plain scalar twin in the tests.
 */
public final class VectorMath {
    private VectorMath() {}

    /** sum over i < n of a[aOff+i] * b[bOff+i]. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 2 * LANES; i <= bound; i += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + LANES).fma(FloatVector.fromArray(F, b, bOff + i + LANES), acc1);
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** sum of squares of x[off .. off+n). */
    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /** out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i] for i < n (RMSNorm). out may be x. */
    public static void rmsnorm(float[] out, float[] x, float[] weight, float eps, int n) {
        rmsnorm(out, 0, x, 0, weight, eps, n);
    }

    /** RMSNorm of x[xOff .. xOff+n) into out[outOff ..]. */
    public static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float eps, int n) {
        float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, xOff, n) / n + eps));
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = x[xOff + i] * inv * weight[i];
    }

    /** Softmax of x[off .. off+n) in place (max-subtracted, in f32). */
    public static void softmaxInPlace(float[] x, int off, int n) {
        float sum = expShiftedInPlace(x, off, n, max(x, off, n));
        scale(x, off, 1f / sum, n);
    }

    /** gate[i] = silu(gate[i]) * up[i] for i < n (SwiGLU), silu(g) = g / (1 + exp(-g)). */
    public static void swiglu(float[] gate, float[] up, int n) {
        swiglu(gate, 0, up, 0, n);
    }

    public static void swiglu(float[] gate, int gOff, float[] up, int uOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(gate, gOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = (float) (g / (1 + Math.exp(-g))) * up[uOff + i];
        }
    }

    /** a[aOff+i] += b[bOff+i] for i < n (residual connections). */
    public static void add(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i)).intoArray(a, aOff + i);
        }
        for (; i < n; i++) a[aOff + i] += b[bOff + i];
    }

    /** x[off+i] *= s for i < n. */
    public static void scale(float[] x, int off, float s, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] *= s;
    }

    /** The largest of x[off .. off+n), -infinity for n = 0 (LANES at a time: a scalar Math.max is several instructions). */
    public static float max(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off);
            for (i = LANES; i <= n - LANES; i += LANES) v = v.max(FloatVector.fromArray(F, x, off + i));
            m = v.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /**
     * x[off+i] = exp(x[off+i] - shift) for i < n, returning their sum. LANES at a time with the Vector
     * API's exp (within 1 ulp of float exp), the tail one by one.
     */
    public static float expShiftedInPlace(float[] x, int off, int n, float shift) {
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector e = FloatVector.fromArray(F, x, off + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            sum = sum.add(e);
        }
        float s = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - shift);
            s += x[off + i];
        }
        return s;
    }

    /**
     * One block of an online (streamed) softmax, as attention takes it over blocks of keys: with the
     * running max[r] and sum[r] of exp(score - max) of query r, the scores x[off .. off+n) become
     * exp(score - newMax), max[r] and sum[r] are updated, and the factor exp(oldMax - newMax) that
     * rescales what was accumulated before is returned (0 on the first block, where max[r] is -infinity).
     */
    public static float onlineSoftmaxStep(float[] x, int off, int n, float[] max, float[] sum, int r) {
        float newMax = Math.max(max[r], max(x, off, n));
        float correction = (float) Math.exp(max[r] - newMax);
        sum[r] = sum[r] * correction + expShiftedInPlace(x, off, n, newMax);
        max[r] = newMax;
        return correction;
    }

    /** y[yOff+i] += alpha * x[xOff+i] for i < n (attention: weighted sum of values). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}
