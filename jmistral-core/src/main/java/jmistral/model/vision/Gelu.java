package jmistral.model.vision;

/**
 * Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as HF / mistral-inference / vLLM use in the
 * projector (llama.cpp uses the tanh approximation instead). Java has no erf, so erf is computed in
 * double with W. J. Cody's rational approximations (relative error below 1e-15 over the whole range,
 * far beyond float32 needs).
 */
final class Gelu {
    private static final double SQRT_HALF = 0.70710678118654752440;

    private Gelu() {}

    static void inPlace(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[off + i];
            x[off + i] = (float) (0.5 * v * (1 + erf(v * SQRT_HALF)));
        }
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
