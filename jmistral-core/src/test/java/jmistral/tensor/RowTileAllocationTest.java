package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-tile kernels ({@link RowTileFormat}) must not allocate, as {@link KernelAllocationTest} holds the block
 * kernels to; in a JVM of its own (the {@code row-tile-allocation} surefire execution). Not in KernelAllocationTest's
 * JVM: run before its block kernels there, these kernels left some of those (the Q3_K, Q5_K and Q6_K dots, the Q6_K
 * dequantize) compiled into boxing code in half the runs, and run after them, none (three runs of each order); the
 * engine's prefill and decode over the 2-layer Q4_K_M model, which compile both, read as fast as before (2026-12-07).
 */
class RowTileAllocationTest {

    /** Bytes per kernel call under which a round counts as not allocating. */
    private static final long MAX_BYTES_PER_CALL = 64;
    private static final long LIMIT_NANOS = 20_000_000_000L;

    /**
     * Each row-tile layout's four kernels ({@link RowTileFormat}: one token on four strips, four and eight tokens on two,
     * and the dequantization for prefill) and prefill's micro-kernel over the dequantized panels
     * ({@link StripGemm#rows32x12}), which decode, batched decode and prefill run for every Q6_K and Q4_K matrix with a
     * copy. Written first with small helpers
     * per vector, Q4_K's kernels passed C2's node budget for inlining and boxed (1.5 to 250 MB per 8192 x 5120 product).
     */
    @Test
    void rowTileKernelsDoNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<String> failures = new ArrayList<>();
        for (RowTileFormat format : RowTileFormat.values()) {
            int cols = 2048, tiles = cols / format.tileCols, calls = 16;
            MemorySegment w = RandomWeights.matrix(format.type, 64, cols, new Random(12));
            MemorySegment[] s = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                s[i] = Arena.ofAuto().allocate(format.stripBytes(cols));
                format.repack(w, format.type.bytesFor(cols), 64, 16 * i, cols, s[i]);
            }
            float[] x = RandomWeights.vector(cols, new Random(13)), xt = RandomWeights.vector(8 * cols, new Random(14));
            float[] sums = XSums.of(x, 0, cols, format.tileCols), out = new float[12 * 64], panel = new float[32 * cols];
            float[] xt12 = RandomWeights.vector(12 * cols, new Random(16));
            long deadline = System.nanoTime() + LIMIT_NANOS;
            long[] bytes = new long[5]; // one, four, eight tokens; dequantize; the prefill micro-kernel
            java.util.Arrays.fill(bytes, Long.MAX_VALUE);
            while (java.util.Arrays.stream(bytes).anyMatch(b -> b > MAX_BYTES_PER_CALL) && System.nanoTime() < deadline) {
                for (int round = 0; round < 2; round++) { // the first round warms, the second is measured
                    for (int kernel = 0; kernel < 5; kernel++) {
                        int reps = round == 0 ? 200 : calls;
                        long before = threads.getCurrentThreadAllocatedBytes();
                        for (int i = 0; i < reps; i++) {
                            if (kernel == 0) format.rows64x1(s[0], s[1], s[2], s[3], x, 0, sums, 0, 0, tiles, out, 0, 16, 32, 48);
                            else if (kernel == 1) format.rows32x4(s[0], s[1], xt, 0, 0, tiles, out, 0, 64, 4);
                            else if (kernel == 2) format.rows32x8(s[0], s[1], xt, 0, 0, tiles, out, 0, 64, 8);
                            else if (kernel == 3) format.dequantize(s[i % 4], 0, tiles, panel, 16 * (i % 2), 32);
                            else StripGemm.rows32x12(panel, 0, xt12, 0, cols, out, 0, 64);
                        }
                        if (round == 1) bytes[kernel] = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
                    }
                }
            }
            String[] names = {"rows64x1", "rows32x4", "rows32x8", "dequantize", "StripGemm.rows32x12"};
            for (int k = 0; k < 5; k++) if (bytes[k] > MAX_BYTES_PER_CALL) failures.add(format + " " + names[k] + ": " + bytes[k] + " bytes per call");
        }
        if (!failures.isEmpty()) fail("row-tile kernels still allocating after " + LIMIT_NANOS / 1_000_000_000 + " s (boxed vectors): " + failures);
    }
}
