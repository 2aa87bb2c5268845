package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.put8;
import static jmistral.tensor.BlockBytes.putHalf;
import static jmistral.tensor.QuantMath.nearestInt;

import java.lang.foreign.MemorySegment;

/**
 * llama.cpp's reference K-quant quantizers (quantize_row_q4_K_ref / q5_K_ref / q6_K_ref, no
 * importance matrix), reimplemented step by step with the same float arithmetic so that the bytes
 * match. The searches: {@link #makeQkx2Quants} (scale and min, weighted absolute error, used by
 * Q4_K/Q5_K) and {@link #makeQxQuants} (symmetric scale, used by Q6_K).
 */
final class KQuantizer {
    private KQuantizer() {}

    private static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * The parameters of llama.cpp's make_qkx2_quants search for one format: the largest quantized
     * value, and the range and number of the scale candidates it tries ({@code rmin + rdelta*is} for
     * is = 0..nstep, rdelta 0.1).
     */
    record ScaleMinSearch(int nmax, float rmin, int nstep) {}

    /** quantize_row_q4_K_ref's search: make_qkx2_quants(32, 15, ..., -1.f, 0.1f, 20, false). */
    static final ScaleMinSearch Q4_K_SEARCH = new ScaleMinSearch(15, -1f, 20);
    /** quantize_row_q5_K_ref's search: make_qkx2_quants(32, 31, ..., -0.5f, 0.1f, 15, false). */
    static final ScaleMinSearch Q5_K_SEARCH = new ScaleMinSearch(31, -0.5f, 15);

    /**
     * Q4_K and Q5_K: per 32-weight sub-block a scale and min by make_qkx2_quants, both quantized to
     * 6 bits against the block's largest, then the weights requantized with the stored (fp16-rounded)
     * scales; stored in the block {@code layout} at {@code at}.
     */
    static void quantizeScaleMin(float[] x, int off, MemorySegment y, long at, ScaleMinSearch search, KScaleMinBlocks.Layout layout) {
        int nmax = search.nmax(), nstep = search.nstep();
        float rmin = search.rmin();
        long qhOff = layout.qhOff(), qsOff = layout.qsOff();
        boolean highBits = layout.hasHighBits();
        int[] l = new int[256];
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) sumX2 += x[off + 32 * j + i] * x[off + 32 * j + i];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) weights[i] = avX + Math.abs(x[off + 32 * j + i]);
            float[] min = new float[1];
            scales[j] = makeQkx2Quants(32, nmax, x, off + 32 * j, weights, l, 32 * j, min, laux, rmin, 0.1f, nstep, false);
            mins[j] = min[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        for (int i = 0; i < 12; i++) put8(y, at + 4 + i, 0);
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            BlockBytes.putKScaleMin(y, at + 4, j, ls, lm);
        }
        putHalf(y, at, maxScale / 63.f);
        putHalf(y, at + 2, maxMin / 63.f);
        for (int j = 0; j < 8; j++) {
            int sm = BlockBytes.kScaleMin(y, at + 4, j);
            float d = half(y, at) * (sm & 0xFF);
            if (d == 0) continue;
            float dm = half(y, at + 2) * (sm >> 8);
            for (int i = 0; i < 32; i++) {
                l[32 * j + i] = Math.max(0, Math.min(nmax, nearestInt((x[off + 32 * j + i] + dm) / d)));
            }
        }
        if (highBits) for (int i = 0; i < 32; i++) put8(y, at + qhOff + i, 0);
        for (int n = 0; n < 4; n++) {
            for (int i = 0; i < 32; i++) {
                int l1 = l[64 * n + i], l2 = l[64 * n + 32 + i];
                if (highBits) {
                    int h = BlockBytes.u8(y, at + qhOff + i);
                    if (l1 > 15) { l1 -= 16; h |= 1 << (2 * n); }
                    if (l2 > 15) { l2 -= 16; h |= 2 << (2 * n); }
                    put8(y, at + qhOff + i, h);
                }
                put8(y, at + qsOff + 32 * n + i, l1 | (l2 << 4));
            }
        }
    }

    /** llama.cpp quantize_row_q6_K_ref. Layout: ql[128] at 0, qh[64] at 128, int8 scales[16] at 192, half d at 208. */
    static void quantizeQ6K(float[] x, int off, MemorySegment y, long at) {
        int[] l = new int[256];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQxQuants(16, 32, x, off + 16 * ib, l, 16 * ib, 1);
            scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            for (int i = 0; i < 210; i++) put8(y, at + i, 0);
            return;
        }
        float iscale = -128.f / maxScale;
        putHalf(y, at + 208, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) put8(y, at + 192 + ib, Math.min(127, nearestInt(iscale * scales[ib])));
        for (int j = 0; j < 16; j++) {
            float d = half(y, at + 208) * BlockBytes.i8(y, at + 192 + j);
            if (d == 0) continue;
            for (int i = 0; i < 16; i++) {
                l[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(x[off + 16 * j + i] / d))) + 32;
            }
        }
        for (int h = 0; h < 2; h++) {
            long ql = at + 64 * h, qh = at + 128 + 32 * h;
            int base = 128 * h;
            for (int i = 0; i < 32; i++) {
                int q1 = l[base + i], q2 = l[base + i + 32], q3 = l[base + i + 64], q4 = l[base + i + 96];
                put8(y, ql + i, (q1 & 15) | ((q3 & 15) << 4));
                put8(y, ql + i + 32, (q2 & 15) | ((q4 & 15) << 4));
                put8(y, qh + i, (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }

    /**
     * llama.cpp make_qkx2_quants: finds scale and (non-positive) min for x[off .. off+n) so that
     * x ~ scale*L + min with L in [0, nmax], minimizing the weighted error; tries nstep+1 scales
     * around nmax/(max-min). Writes L to l[lOff ..], -min to theMin[0]; returns the scale.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int off, float[] weights, int[] l, int lOff, float[] theMin,
                                int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[off], max = x[off];
        float sumW = weights[0];
        float sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            if (x[off + i] < min) min = x[off + i];
            if (x[off + i] > max) max = x[off + i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[off + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * (x[off + i] - min));
            l[lOff + i] = Math.max(0, Math.min(nmax, li));
            float diff = scale * l[lOff + i] + min - x[off + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int li = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[off + i] - min))));
                laux[i] = li;
                float w = weights[i];
                sumL += w * li;
                sumL2 += w * li * li;
                sumXL += w * li * x[off + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[off + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, l, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * llama.cpp make_qx_quants (no importance weights): symmetric scale for x[off .. off+n) with
     * L in [0, 2*nmax) (stored as L - nmax), weights x^2 for rmse_type 1; tries 19 scales around
     * -nmax/max. Writes L to l[lOff ..]; returns the scale.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int off, int[] l, int lOff, int rmseType) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) { amax = ax; max = x[off + i]; }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; i++) l[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[off + i])));
            return 1 / iscale;
        }
        float sumLX = 0, sumL2 = 0;
        for (int i = 0; i < n; i++) {
            int li = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[off + i])));
            l[lOff + i] = li + nmax;
            float w = weight(x[off + i], rmseType);
            sumLX += w * x[off + i] * li;
            sumL2 += w * li * li;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = sumL2 = 0;
            for (int i = 0; i < n; i++) {
                int li = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[off + i])));
                float w = weight(x[off + i], rmseType);
                sumLX += w * x[off + i] * li;
                sumL2 += w * li * li;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    l[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[off + i])));
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    private static float weight(float x, int rmseType) {
        return switch (rmseType) {
            case 1 -> x * x;
            case 2 -> 1;
            case 3 -> Math.abs(x);
            default -> (float) Math.sqrt(Math.abs(x));
        };
    }
}
