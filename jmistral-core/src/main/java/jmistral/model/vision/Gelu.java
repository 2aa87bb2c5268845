package jmistral.model.vision;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import jmistral.tensor.VectorLanes;

/**
 * Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as HF / mistral-inference / vLLM use in the
 * projector (llama.cpp uses the tanh approximation instead).
 *
 * <p>The fast path ({@link #inPlace}) is vectorized in f32 with Phi(x) = erfc(-x / sqrt 2) / 2 and
 * erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2), the Chebyshev fit of Numerical Recipes (6.2) whose
 * fractional error is below 1.2e-7 for every z >= 0; for x >= 0, Phi = 1 - erfc(|x|/sqrt 2) / 2. So
 * Phi is accurate relative to itself on both sides, including the far negative tail.
 *
 * <p>{@link #exact} is the double reference: erf by W. J. Cody's rational approximations (relative
 * error below 1e-15 over the whole range); tests hold the fast path against it.
 */
final class Gelu {
    private static final double SQRT_HALF = 0.70710678118654752440;
    private static final VectorSpecies<Float> F = VectorLanes.F;        // the kernels' species (-Djmistral.vectorBits)
    private static final int LANES = F.length();
    /** P(t) = C0 + C1 t + ... + C9 t^9 of erfc. */
    private static final float C0 = -1.26551223f, C1 = 1.00002368f, C2 = 0.37409196f, C3 = 0.09678418f,
            C4 = -0.18628806f, C5 = 0.27886807f, C6 = -1.13520398f, C7 = 1.48851587f, C8 = -0.82215223f, C9 = 0.17087277f;

    private Gelu() {}

    /** x[off+i] = gelu(x[off+i]) for i < n, in f32 (vectorized; scalar tail with the same formula). */
    static void inPlace(float[] x, int off, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            FloatVector z = v.abs().mul((float) SQRT_HALF);
            FloatVector t = z.fma(0.5f, 1f);
            t = FloatVector.broadcast(F, 1f).div(t);
            FloatVector p = t.fma(C9, C8);
            p = p.fma(t, FloatVector.broadcast(F, C7));
            p = p.fma(t, FloatVector.broadcast(F, C6));
            p = p.fma(t, FloatVector.broadcast(F, C5));
            p = p.fma(t, FloatVector.broadcast(F, C4));
            p = p.fma(t, FloatVector.broadcast(F, C3));
            p = p.fma(t, FloatVector.broadcast(F, C2));
            p = p.fma(t, FloatVector.broadcast(F, C1));
            p = p.fma(t, FloatVector.broadcast(F, C0));
            FloatVector halfErfc = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP)).mul(0.5f);
            FloatVector phi = halfErfc.neg().add(1f).blend(halfErfc, v.compare(VectorOperators.LT, 0f));
            v.mul(phi).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = gelu(x[off + i]);
    }

    /** The scalar twin of the vector loop in {@link #inPlace}. */
    static float gelu(float x) {
        float z = Math.abs(x) * (float) SQRT_HALF;
        float t = 1f / Math.fma(z, 0.5f, 1f);
        float p = C9;
        for (float ck : new float[] {C8, C7, C6, C5, C4, C3, C2, C1, C0}) p = Math.fma(p, t, ck);
        float halfErfc = t * (float) Math.exp(-(z * z) + p) * 0.5f;
        return x * (x < 0 ? halfErfc : 1f - halfErfc);
    }

    /** gelu(x) in double with the erf below: the reference. */
    static double exact(double x) {
        return 0.5 * x * (1 + erf(x * SQRT_HALF));
    }

    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 0.5) {
            double t = x * x;
            double top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t
                    + 377.485237685302021) * t + 3209.37758913846947;
            double bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t
                    + 1282.61652607737228) * t + 2844.23683343917062;
            return x * top / bot;
        } else if (ax < 4.0) {
            double top = (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax
                    + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax
                    + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
            double bot = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax
                    + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax
                    + 3439.36767414372164) * ax + 1230.33935480374942;
            r = 1 - Math.exp(-ax * ax) * top / bot;
        } else if (ax < 27) {
            double z = 1 / (ax * ax);
            double top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z
                    + 0.125781726111229246) * z + 0.0160837851487422766) * z + 0.000658749161529837803;
            double bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z
                    + 0.0605183413124413191) * z + 0.00233520497626869185;
            double sqrtPiInv = 0.56418958354775628695;
            r = 1 - Math.exp(-ax * ax) / ax * (sqrtPiInv - z * top / bot);
        } else {
            r = 1;
        }
        return x < 0 ? -r : r;
    }
}
