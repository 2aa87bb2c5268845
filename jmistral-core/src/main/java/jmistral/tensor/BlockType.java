package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * One storage format for weights: how a block of {@link #blockSize()} weights is laid out in
 * {@link #blockBytes()} bytes, read directly from a (memory-mapped) segment.
 *
 * <p>Every format has two implementations side by side: {@link #dequantizeBlock} is the reference,
 * plain scalar code that follows the layout spec line by line; {@link #dot} (and optionally
 * {@link #dequantize}) is the fast Vector API kernel. Tests hold the fast one to the reference.
 * Adding a format means adding one implementation of this interface and its test.
 */
public interface BlockType {

    GgmlType type();

    default int blockSize() {
        return type().blockSize;
    }

    default int blockBytes() {
        return type().blockBytes;
    }

    /** Reference: the block at byte offset {@code at} as floats into dst[dstOff .. dstOff + blockSize). */
    void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff);

    /**
     * Reference dot product of {@code blocks} consecutive blocks starting at byte {@code at} with
     * x[xOff ..]: dequantize each block, multiply, sum (in double, so it is a trustworthy oracle).
     */
    default float dotReference(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        float[] tmp = new float[blockSize()];
        double sum = 0;
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(w, at + (long) b * blockBytes(), tmp, 0);
            for (int j = 0; j < tmp.length; j++) sum += (double) tmp[j] * x[xOff + b * blockSize() + j];
        }
        return (float) sum;
    }

    /** Fast (Vector API) dot product of {@code blocks} consecutive blocks at {@code at} with x[xOff ..]. */
    float dot(MemorySegment w, long at, float[] x, int xOff, int blocks);

    /**
     * 0, or the group size g whose sums of x {@link #dot(MemorySegment, long, float[], int, float[], int, int)}
     * uses: formats whose weights are {@code scale * q - min} (or {@code scale * (q - 4)}) per group take
     * the min term as {@code min * sum(x)} from them instead of per weight. 32 for Q4_K, Q5_K (sub-blocks
     * of 32), 16 for Q2_K, Q3_K (groups of 16).
     */
    default int sumsGroup() {
        return 0;
    }

    /**
     * {@link #dot(MemorySegment, long, float[], int, int)} with x's sums over each g = {@link #sumsGroup()}
     * values already computed: {@code sums[sumsOff + i] = x[xOff + gi] + ... + x[xOff + gi + g - 1]}
     * ({@link XSums}); null when g is 0.
     * Matrix-vector products compute them once per vector and share them over all rows.
     */
    default float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums, int sumsOff, int blocks) {
        return dot(w, at, x, xOff, blocks);
    }

    /**
     * Kernel input layout: whether {@link #dotArranged} reads x in an order of its own, written by
     * {@link #arrangeX}. A kernel that decodes weights in 32-bit lanes (the nibbles of 4 bytes per lane,
     * one shift and mask each, no byte-to-int widening shuffles) produces them out of their natural
     * order; x, the same for every row of a matrix-vector product, is rearranged once per call to
     * match, instead of the weights once per row. False: {@link #dotArranged} is {@link #dot} on plain x.
     */
    default boolean arrangesX() {
        return false;
    }

    /**
     * Writes x[xOff .. xOff + blocks * blockSize) into dst[dstOff ..] in the order {@link #dotArranged}
     * reads it (per block: a permutation of the block's values). This default copies (plain order).
     */
    default void arrangeX(float[] x, int xOff, float[] dst, int dstOff, int blocks) {
        System.arraycopy(x, xOff, dst, dstOff, blocks * blockSize());
    }

    /**
     * {@link #dot(MemorySegment, long, float[], int, float[], int, int)} with x already in the kernel's
     * order ({@link #arrangeX}: xa[xaOff ..]); the sums are those of plain x (a group's sum does not
     * depend on the order). What matrix-vector products call per row, after arranging x once.
     */
    default float dotArranged(MemorySegment w, long at, float[] xa, int xaOff, float[] sums, int sumsOff, int blocks) {
        return dot(w, at, xa, xaOff, sums, sumsOff, blocks);
    }

    /**
     * Decode (matvec): two rows of the same matrix times one x, out[out0] = row at0 . x and out[out1] =
     * row at1 . x, each with exactly {@link #dot(MemorySegment, long, float[], int, float[], int, int)}'s
     * arithmetic. A kernel that walks both rows block by block reads two separate streams of
     * memory at once (the matvec pairs rows far apart), which DRAM serves faster than one: the
     * hardware prefetchers follow each stream only within a 4 KB page and restart at every page
     * boundary, and two streams keep more cache misses in flight. This default runs the two dots.
     */
    default void dot2Rows(MemorySegment w, long at0, long at1, float[] x, int xOff, float[] sums, int sumsOff, int blocks,
                          float[] out, int out0, int out1) {
        out[out0] = dot(w, at0, x, xOff, sums, sumsOff, blocks);
        out[out1] = dot(w, at1, x, xOff, sums, sumsOff, blocks);
    }

    /**
     * Decode (matvec): four rows of the same matrix times one x, out[out0] = row at0 . x, ..., out[out3] = row at3 . x,
     * each with {@link #dot2Rows}'s arithmetic: each x vector is loaded once for four rows, half of what the two-row kernel
     * loads per weight (for rows whose x does not fit L1, such as w_down's 32768 columns, x comes from L2). This
     * default runs two two-row dots.
     */
    default void dot4Rows(MemorySegment w, long at0, long at1, long at2, long at3, float[] x, int xOff, float[] sums, int sumsOff,
                          int blocks, float[] out, int out0, int out1, int out2, int out3) {
        dot2Rows(w, at0, at1, x, xOff, sums, sumsOff, blocks, out, out0, out1);
        dot2Rows(w, at2, at3, x, xOff, sums, sumsOff, blocks, out, out2, out3);
    }

    /** Whether {@link #dot4Rows} is a four-row kernel. */
    default boolean hasDot4Rows() {
        return false;
    }

    /** Whether {@link #dot2Rows} is a two-row kernel (otherwise matvec takes rows one at a time). */
    default boolean hasDot2Rows() {
        return false;
    }

    /** Whether {@link #dot4Tokens} is a fused vector kernel (otherwise it is the reference, and batched matmul does not use it). */
    default boolean hasDot4Tokens() {
        return false;
    }

    /**
     * Batched decode: one row ({@code blocks} blocks at {@code at}) times 4 tokens whose columns start at
     * x[x0], x[x1], x[x2], x[x3], the 4 dot products to out4[0..3]. The fast kernels decode each block
     * once into registers and FMA it into all 4 tokens' accumulators (a caller with fewer tokens
     * repeats one). This default is the reference: {@link #dotReference} per token.
     */
    default void dot4Tokens(MemorySegment w, long at, int blocks, float[] x, int x0, int x1, int x2, int x3, float[] out4) {
        out4[0] = dotReference(w, at, x, x0, blocks);
        out4[1] = dotReference(w, at, x, x1, blocks);
        out4[2] = dotReference(w, at, x, x2, blocks);
        out4[3] = dotReference(w, at, x, x3, blocks);
    }

    /** Whether {@link #dot4x4} is a register-tiled vector kernel (otherwise it is the reference, and batched matmul does not use it). */
    default boolean hasDot4x4() {
        return false;
    }

    /**
     * Batched decode, register-tiled: 4 rows times 4 tokens, {@code out16[4 * i + j]} = row i . token j.
     * Row i is {@code blocks} blocks at byte {@code rowAt[i]} (ascending; a caller with fewer rows
     * repeats the last), token j's columns start at {@code x[xAt[j]]} and, for formats with a
     * {@link #sumsGroup()}, its sums of x at {@code sums[sumsAt[j]]} (otherwise sums is null).
     * The fast kernels decode 16 weights of each of the 4 rows into registers once and FMA them into
     * the 4 x 4 accumulators, so a weight's decoding is shared by 4 tokens and an x load by 4 rows.
     * This default is the reference: {@link #dotReference} per row and token.
     */
    default void dot4x4(MemorySegment w, long[] rowAt, int blocks, float[] x, int[] xAt, float[] sums, int[] sumsAt, float[] out16) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) out16[4 * i + j] = dotReference(w, rowAt[i], x, xAt[j], blocks);
        }
    }

    /** Fast dequantization of {@code blocks} consecutive blocks; formats override it with a vector kernel. */
    default void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(w, at + (long) b * blockBytes(), dst, dstOff + b * blockSize());
        }
    }

    /** Whether {@link #quantizeBlock} is implemented. */
    default boolean canQuantize() {
        return false;
    }

    /** Quantizes src[srcOff .. srcOff + blockSize) into one block at {@code at} (llama.cpp's reference quantizer). */
    default void quantizeBlock(float[] src, int srcOff, MemorySegment dst, long at) {
        throw new UnsupportedOperationException("quantizing to " + type() + " is not implemented");
    }

    /** The implementation for a ggml type. */
    static BlockType of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Block.INSTANCE;
            case F16 -> F16Block.INSTANCE;
            case BF16 -> BF16Block.INSTANCE;
            case Q8_0 -> Q8_0Block.INSTANCE;
            case Q4_0 -> Q4_0Block.INSTANCE;
            case Q4_1 -> Q4_1Block.INSTANCE;
            case Q5_0 -> Q5_0Block.INSTANCE;
            case Q5_1 -> Q5_1Block.INSTANCE;
            case Q2_K -> Q2_KBlock.INSTANCE;
            case Q3_K -> Q3_KBlock.INSTANCE;
            case Q4_K -> Q4_KBlock.INSTANCE;
            case Q5_K -> Q5_KBlock.INSTANCE;
            case Q6_K -> Q6_KBlock.INSTANCE;
            case IQ4_NL -> IQ4_NLBlock.INSTANCE;
            case IQ4_XS -> IQ4_XSBlock.INSTANCE;
            default -> throw new UnsupportedOperationException("tensor type " + type + " (ggml id " + type.id
                    + ") is not supported; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS");
        };
    }
}
