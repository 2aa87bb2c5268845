package jmistral.image;

/**
 * Bicubic resize exactly as OpenCV {@code cv2.resize(float32 image, (dw, dh), INTER_CUBIC)}, which
 * is what mistral-common applies to the uint8 RGB pixels turned into float32.
 *
 * <p>OpenCV's rules, mirrored here:
 * <ul>
 *   <li>separable: first every source row is resized horizontally, then the columns vertically;</li>
 *   <li>source coordinate of output pixel d: {@code f = (float)((d + 0.5) * scale - 0.5)} with
 *       {@code scale = 1 / (dst/src)} in double; taps at floor(f)-1 .. floor(f)+2;</li>
 *   <li>Keys cubic with A = -0.75, weights computed in float32 ({@link #cubicWeights}); the fourth
 *       weight is 1 minus the other three;</li>
 *   <li>border: taps outside the image repeat the edge pixel (BORDER_REPLICATE);</li>
 *   <li>all arithmetic in float32; no antialiasing when shrinking; results are NOT clipped, so values
 *       can overshoot 0..255 slightly.</li>
 * </ul>
 */
final class BicubicResize {
    private static final float A = -0.75f;

    private BicubicResize() {}

    /**
     * Resizes an RGB image to {@code dw x dh}.
     *
     * @return float32 pixels, shape [dh][dw][3] row-major (HWC), values on the 0..255 scale
     */
    static float[] resize(RgbImage src, int dw, int dh) {
        int sw = src.width(), sh = src.height();
        Taps xTaps = Taps.compute(sw, dw);
        Taps yTaps = Taps.compute(sh, dh);
        byte[] in = src.rgb();

        // Horizontal pass over every source row: rows[sh][dw][3]
        float[] rows = new float[sh * dw * 3];
        for (int y = 0; y < sh; y++) {
            int inRow = y * sw * 3, outRow = y * dw * 3;
            for (int dx = 0; dx < dw; dx++) {
                int t = dx * 4;
                int i0 = inRow + xTaps.index[t] * 3, i1 = inRow + xTaps.index[t + 1] * 3;
                int i2 = inRow + xTaps.index[t + 2] * 3, i3 = inRow + xTaps.index[t + 3] * 3;
                float w0 = xTaps.weight[t], w1 = xTaps.weight[t + 1];
                float w2 = xTaps.weight[t + 2], w3 = xTaps.weight[t + 3];
                for (int c = 0; c < 3; c++) {
                    rows[outRow + dx * 3 + c] = (in[i0 + c] & 0xFF) * w0 + (in[i1 + c] & 0xFF) * w1
                            + (in[i2 + c] & 0xFF) * w2 + (in[i3 + c] & 0xFF) * w3;
                }
            }
        }

        // Vertical pass: out[dh][dw][3]
        int rowLen = dw * 3;
        float[] out = new float[dh * rowLen];
        for (int dy = 0; dy < dh; dy++) {
            int t = dy * 4;
            int r0 = yTaps.index[t] * rowLen, r1 = yTaps.index[t + 1] * rowLen;
            int r2 = yTaps.index[t + 2] * rowLen, r3 = yTaps.index[t + 3] * rowLen;
            float w0 = yTaps.weight[t], w1 = yTaps.weight[t + 1];
            float w2 = yTaps.weight[t + 2], w3 = yTaps.weight[t + 3];
            int o = dy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = w0 * rows[r0 + i] + w1 * rows[r1 + i] + w2 * rows[r2 + i] + w3 * rows[r3 + i];
            }
        }
        return out;
    }

    /** OpenCV {@code interpolateCubic}: the 4 tap weights for fractional offset x in [0, 1). */
    static void cubicWeights(float x, float[] w, int at) {
        w[at] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
        w[at + 1] = ((A + 2) * x - (A + 3)) * x * x + 1;
        w[at + 2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
        w[at + 3] = 1.f - w[at] - w[at + 1] - w[at + 2];
    }

    /** For each output position along one axis: 4 clamped source indices and their weights. */
    private record Taps(int[] index, float[] weight) {
        static Taps compute(int srcLen, int dstLen) {
            double scale = 1.0 / ((double) dstLen / srcLen);   // OpenCV: 1./inv_scale
            int[] index = new int[dstLen * 4];
            float[] weight = new float[dstLen * 4];
            for (int d = 0; d < dstLen; d++) {
                float f = (float) ((d + 0.5) * scale - 0.5);
                int s = (int) Math.floor(f);
                f -= s;
                cubicWeights(f, weight, d * 4);
                for (int k = 0; k < 4; k++) {
                    index[d * 4 + k] = Math.clamp(s - 1 + k, 0, srcLen - 1);
                }
            }
            return new Taps(index, weight);
        }
    }
}
