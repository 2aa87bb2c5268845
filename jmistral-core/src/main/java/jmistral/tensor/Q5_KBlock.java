package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: 256 weights in 176 bytes: {@code half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}
 * (see {@link KScaleMinBlocks}).
 */
final class Q5_KBlock implements BlockType {
    static final Q5_KBlock INSTANCE = new Q5_KBlock();

    public GgmlType type() { return GgmlType.Q5_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        KScaleMinBlocks.dequantizeBlock(w, at, KScaleMinBlocks.Q5_K, dst, dstOff);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        return dot(w, at, x, xOff, XSums.of(x, xOff, blocks * 256, 32), 0, blocks);
    }

    public int sumsGroup() { return 32; }

    public float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        return KScaleMinBlocks.dot(w, at, KScaleMinBlocks.Q5_K, x, xOff, sums32, sumsOff, blocks);
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        KScaleMinBlocks.dequantize(w, at, KScaleMinBlocks.Q5_K, dst, dstOff, blocks);
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeScaleMin(src, srcOff, dst, at, KQuantizer.Q5_K_SEARCH, KScaleMinBlocks.Q5_K);
    }
}
