package jmistral.tensor;

import java.lang.foreign.MemorySegment;

/**
 * f32 -> quantized type, with llama.cpp's reference quantizers (no importance matrix), so a file
 * quantized here has the same bytes as one from llama-quantize's reference path. Supported:
 * F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Whether {@code type} can be produced. */
    public static boolean supports(GgmlType type) {
        try {
            return BlockType.of(type).canQuantize();
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Quantizes all of {@code data} (length a multiple of the block size) into a new byte array. */
    public static byte[] quantize(GgmlType type, float[] data) {
        byte[] out = new byte[Math.toIntExact(type.bytesFor(data.length))];
        quantizeRow(type, data, 0, data.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /**
     * Streaming variant: quantizes src[srcOff .. srcOff+n) (one row, n a multiple of the block
     * size) into dst at byte offset {@code dstAt}; writes exactly type.bytesFor(n) bytes.
     */
    public static void quantizeRow(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstAt) {
        BlockType block = BlockType.of(type);
        if (!block.canQuantize()) throw new UnsupportedOperationException("quantizing to " + type + " is not implemented");
        if (n % block.blockSize() != 0) {
            throw new IllegalArgumentException(type + ": row of " + n + " values is not a multiple of the block size " + block.blockSize());
        }
        for (int b = 0; b < n / block.blockSize(); b++) {
            block.quantizeBlock(src, srcOff + b * block.blockSize(), dst, dstAt + (long) b * block.blockBytes());
        }
    }
}
