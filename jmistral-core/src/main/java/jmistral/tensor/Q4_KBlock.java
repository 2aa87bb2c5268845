package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/** Q4_K: 256 weights in 144 bytes: {@code half d, dmin; u8 scales[12]; u8 qs[128]} (see {@link KScaleMinBlocks}). */
final class Q4_KBlock implements BlockType {
    static final Q4_KBlock INSTANCE = new Q4_KBlock();

    public GgmlType type() { return GgmlType.Q4_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        KScaleMinBlocks.dequantizeBlock(w, at, KScaleMinBlocks.Q4_K, dst, dstOff);
    }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        return dot(w, at, x, xOff, XSums.of(x, xOff, blocks * 256, 32), 0, blocks);
    }

    public int sumsGroup() { return 32; }

    /**
     * Plain-x dot: with 16 lanes, x arranged into a fresh array and {@link #dotArranged} (for tests and
     * one-off callers; matrix-vector products arrange x once for all rows), otherwise the plain kernel.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums32, int sumsOff, int blocks) {
        if (!arrangesX()) return KScaleMinBlocks.dot(w, at, KScaleMinBlocks.Q4_K, x, xOff, sums32, sumsOff, blocks);
        float[] xa = new float[blocks * 256];
        arrangeX(x, xOff, xa, 0, blocks);
        return dotArranged(w, at, xa, 0, sums32, sumsOff, blocks);
    }

    /** With 16-lane vectors, {@link KScaleMinBlocks#dot4Arranged}'s x order ({@link KScaleMinBlocks#arrangeX4}). */
    public boolean arrangesX() { return VectorLanes.LANES == 16; }

    public void arrangeX(float[] x, int xOff, float[] dst, int dstOff, int blocks) {
        if (arrangesX()) KScaleMinBlocks.arrangeX4(x, xOff, dst, dstOff, blocks);
        else BlockType.super.arrangeX(x, xOff, dst, dstOff, blocks);
    }

    public float dotArranged(MemorySegment w, long at, float[] xa, int xaOff, float[] sums32, int sumsOff, int blocks) {
        if (!arrangesX()) return KScaleMinBlocks.dot(w, at, KScaleMinBlocks.Q4_K, xa, xaOff, sums32, sumsOff, blocks);
        return KScaleMinBlocks.dot4Arranged(w, at, KScaleMinBlocks.Q4_K.qsOff(), KScaleMinBlocks.Q4_K.blockBytes(), xa, xaOff, sums32, sumsOff, blocks);
    }

    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        KScaleMinBlocks.dequantize(w, at, KScaleMinBlocks.Q4_K, dst, dstOff, blocks);
    }

    public boolean canQuantize() { return true; }

    public void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        KQuantizer.quantizeScaleMin(src, srcOff, dst, at, KQuantizer.Q4_K_SEARCH, KScaleMinBlocks.Q4_K);
    }
}
