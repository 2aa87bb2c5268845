package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The vectorized f32 GELU (and its scalar tail) against the double-precision exact GELU. */
class GeluTest {

    @Test
    void vectorGeluMatchesExactGelu() {
        int n = 2_400_003;                       // not a multiple of any vector width: the tail runs too
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -12f + i * 1e-5f;
        float[] y = new float[n + 5];
        System.arraycopy(x, 0, y, 5, n);
        Gelu.inPlace(y, 5, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double diff = Math.abs(y[5 + i] - Gelu.exact(x[i]));
            worst = Math.max(worst, diff / Math.max(Math.abs(x[i]), 1e-30));
        }
        // a few float ulps of x: Phi itself is within ~2e-7 (erfc fit 1.2e-7 plus f32 rounding)
        assertTrue(worst <= 4e-7, "max |gelu - exact| / |x| = " + worst);
    }

    @Test
    void scalarTailAgreesWithVectorAndEdgeValues() {
        for (float v = -9f; v <= 9f; v += 0.37f) {
            float[] one = {v};
            Gelu.inPlace(one, 0, 1);                // length 1: the scalar twin only
            assertEquals(Gelu.exact(v), one[0], 4e-7 * Math.max(Math.abs(v), 1e-3), "gelu(" + v + ")");
        }
        assertEquals(0f, Gelu.gelu(0f));
        assertEquals(100f, Gelu.gelu(100f));
        assertEquals(0f, Gelu.gelu(-100f), 0f);
        assertTrue(Float.isNaN(Gelu.gelu(Float.NaN)));
    }
}
