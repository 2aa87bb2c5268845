package jmistral.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * W [rows][cols] with long rows, whose matvec (a decode step) reads a copy of the weights in column slices: slice s
 * holds columns [s * sliceCols, (s + 1) * sliceCols) of every row, [rows][sliceCols] row-major and contiguous. The
 * matvec takes the slices in turn within each chunk of rows and adds up. Products of up to
 * {@link BlockMatrix#EACH_MAX_TOKENS} tokens are that many matvecs over the slices (as the matrix in place runs
 * them); products of more tokens (batched decode, verification of drafts, prefill) and row lookups use the matrix
 * in place, row-major.
 *
 * <p>Why: a row kernel reads one x vector per weight vector. Over w_down's 32768-column rows, x (128 KB) comes
 * from L2, and the Q6_K matvec read half as many bytes per second as over 5120-column rows. Taking the columns
 * in chunks over a block of rows kept x in L1 but made the weight reads strided, and was no faster. A slice is
 * both: its x (8 KB) stays in L1 and a chunk of its rows is one sequential stream. Measured on the 2-layer
 * Q4_K_M model's tensors (the file's bytes; 11 rounds alternating whole rows and three slice widths in one JVM,
 * medians):
 * <ul>
 * <li>w_down, Q6_K 5120x32768: 5.5 GB/cpu-s whole against 11.9, 12.7, 12.9 in slices of 1024, 2048, 4096 columns
 *     (one thread); 8.8 GB/s against 14.3, 16.7, 15.1 (two threads, wall).</li>
 * <li>the output projection, Q6_K 131072x5120: 12.3 GB/cpu-s whole against 12.4, 12.8, 13.2 in slices of 1024, 1280,
 *     2560 (one thread); 17.0 and 18.7 GB/s against 19.7-21.1, 20.2-21.2, 19.9-22.6 (two threads, two runs).</li>
 * <li>w_down in Q4_K: 6.4 against 5.8, 7.4, 7.3 (one thread), 10.7 against 7.8, 10.5, 11.6 (two): not worth a copy.
 *     Q8_0 (its matvec runs a two-row kernel over whole rows): 21.5 GB/s against 13.4 in 2048-column slices (two
 *     threads). So only Q6_K is sliced ({@link #sliceColsFor}).</li>
 * </ul>
 * Products of 8 and 9 tokens slice by slice (each slice's tiled product, then added up) read 24.2 and 19.9 tok/s
 * against 31.4 and 29.1 in {@code bench --batch 8} (two alternated pairs): they keep the rows in place.
 *
 * <p>The copy is not the Q6_K blocks themselves but the same weights repacked, exactly, into groups of 16 with an f32
 * scale and int8 values ({@link Q6_KGroups}), whose kernel is Q8_0's and runs two rows at once: the Q6_K kernel's
 * compiled shape varies from process to process (the output projection's matvec 19.7-21 ms in one shape, 29-68 in the
 * others), the groups' did not. Measured ({@code bench --profile}, 2-layer Q4_K_M model, alternated with
 * {@code -Djmistral.matrix.q6kGroups=false}, four pairs, 2026-12-07): output projection 21.9-23.6 ms against 20.6-21.4
 * in three processes and 32.2 in the fourth; {@code bench --prompt-tokens 512}, seven pairs: decode 13.2-17.0 tok/s
 * (15.9-17.0 in six) against 10.0-17.2 (10.0-10.7 in three).
 *
 * <p>The cost: the copy (for the 24B model at Q4_K_M, the output projection and the Q6_K w_down of about half the
 * layers, 5 GB in groups, 320 bytes per 256 weights against Q6_K's 210; {@link jmistral.model.Checkpoint} stops at a
 * quarter of physical memory, and a matrix whose copy does not fit stays in place only) lives in memory of the
 * process, besides the file's pages, which a single stream does not read again (the kernel can drop them) and
 * batches do. {@code -Djmistral.matrix.sliceCols=0} turns it off.
 */
final class ColumnSlicedMatrix implements Matrix {

    /** The widest slice, in columns (x 10 KB); {@code -Djmistral.matrix.sliceCols=0} keeps every matrix in place only. */
    static final int MAX_SLICE_COLS = Integer.getInteger("jmistral.matrix.sliceCols", 2560);
    /** Rows up to this many columns stay whole (their x, up to 16 KB, stays in L1). */
    static final int MIN_COLS = 4096;

    private final BlockMatrix inPlace; // [rows][cols], row-major: products of several tokens, row lookups
    private final BlockType block;
    private final int sliceCols;
    private final MemorySegment[] slices; // [cols / sliceCols], each [rows][sliceRowBytes]
    private final long sliceRowBytes;
    /** The slices hold Q6_K weights repacked into {@link Q6_KGroups} ({@link #GROUPS}), not the format's own blocks. */
    private final boolean grouped;
    /**
     * When grouped: [slice][row], a view of each row's bytes in each slice, made once ({@link Q6_KGroups#dot2Rows} says
     * why): about 40 bytes of heap per row and slice (for the 24B model at Q4_K_M some 2 million views, ~80 MB).
     */
    private final MemorySegment[][] rowViews;

    /**
     * Q6_K slices are repacked into {@link Q6_KGroups} (exact, 320 bytes per 256 weights), whose matvec kernel is
     * Q8_0's; {@code -Djmistral.matrix.q6kGroups=false} copies the Q6_K blocks as they are.
     */
    static final boolean GROUPS = Boolean.parseBoolean(System.getProperty("jmistral.matrix.q6kGroups", "true"));

    private ColumnSlicedMatrix(BlockMatrix inPlace, int sliceCols, MemorySegment[] slices) {
        this.inPlace = inPlace;
        this.block = inPlace.blockType();
        this.sliceCols = sliceCols;
        this.slices = slices;
        this.grouped = grouped(block);
        this.sliceRowBytes = copyRowBytes(block, sliceCols);
        this.rowViews = grouped ? new MemorySegment[slices.length][] : null;
        for (int s = 0; grouped && s < slices.length; s++) {
            MemorySegment[] views = rowViews[s] = new MemorySegment[inPlace.rows()];
            for (int r = 0; r < views.length; r++) views[r] = slices[s].asSlice(r * sliceRowBytes, sliceRowBytes);
        }
    }

    /** Bytes of the copy of a rows x cols matrix of this format ({@link #copiedBytes}). */
    static long copyBytes(BlockType block, int rows, int cols) {
        return rows * copyRowBytes(block, cols);
    }

    /** Bytes of {@code cols} weights of one row in the copy: the format's own, or {@link Q6_KGroups}'. */
    private static long copyRowBytes(BlockType block, int cols) {
        return grouped(block) ? Q6_KGroups.bytesFor(cols) : block.type().bytesFor(cols);
    }

    /** Whether a copy of a matrix of this format goes into {@link Q6_KGroups}. */
    private static boolean grouped(BlockType block) {
        return GROUPS && block.type() == GgmlType.Q6_K;
    }

    /**
     * The slice width {@link Matrix#withColumnSlices} copies a matrix of this type and width into, or 0 to keep it in
     * place only: for Q6_K rows over {@link #MIN_COLS} columns, the widest multiple of the block size up to
     * {@link #MAX_SLICE_COLS} that divides them (32768 columns: 2048; 5120: 2560).
     */
    static int sliceColsFor(BlockType block, int cols) {
        if (block.type() != GgmlType.Q6_K || cols <= MIN_COLS) return 0;
        for (int w = MAX_SLICE_COLS - MAX_SLICE_COLS % block.blockSize(); w >= block.blockSize(); w -= block.blockSize()) {
            if (cols % w == 0) return w;
        }
        return 0;
    }

    /**
     * The matrix in place with a copy of its weights in column slices of {@code sliceCols} (a multiple of the block
     * size that divides cols), in memory freed when the matrix is no longer reachable.
     */
    static ColumnSlicedMatrix copyOf(BlockMatrix inPlace, MemorySegment data, int sliceCols) {
        BlockType block = inPlace.blockType();
        int rows = inPlace.rows(), cols = inPlace.cols();
        if (sliceCols <= 0 || cols % sliceCols != 0 || sliceCols % block.blockSize() != 0) {
            throw new IllegalArgumentException(cols + " columns of " + block.type() + " cannot be cut into slices of " + sliceCols);
        }
        int n = cols / sliceCols;
        boolean grouped = grouped(block);
        long rowBytes = block.type().bytesFor(cols), srcSliceBytes = block.type().bytesFor(sliceCols);
        long sliceRowBytes = copyRowBytes(block, sliceCols), sliceBytes = sliceRowBytes * rows;
        MemorySegment copy = Arena.ofAuto().allocate(sliceBytes * n, 4096);
        MemorySegment[] slices = new MemorySegment[n];
        for (int s = 0; s < n; s++) slices[s] = copy.asSlice(s * sliceBytes, sliceBytes);
        // rows over the pool: the repack is the load's cost of this copy (the 2-layer Q4_K_M model's start, alternated,
        // two pairs each: 2.7-3.9 s more than copying the Q6_K blocks when done on one thread, 1.0-1.5 s over the pool)
        ComputePool.current().parallelForRange(rows, (start, end) -> {
            for (int s = 0; s < n; s++) {
                for (int r = start; r < end; r++) {
                    long from = r * rowBytes + s * srcSliceBytes;
                    if (grouped) Q6_KGroups.repack(data, from, slices[s], r * sliceRowBytes, sliceCols / 256);
                    else MemorySegment.copy(data, from, slices[s], r * sliceRowBytes, sliceRowBytes);
                }
            }
        });
        return new ColumnSlicedMatrix(inPlace, sliceCols, slices);
    }

    public GgmlType type() { return block.type(); }

    public int rows() { return inPlace.rows(); }

    public int cols() { return inPlace.cols(); }

    /**
     * One parallel loop over the rows; each chunk of rows takes the slices in turn, so that a thread reads each slice's
     * rows as one sequential stream with that slice's x in L1. x is arranged and summed once over all columns
     * ({@link BlockMatrix#borrowKernelX}): slice s reads them from column s * sliceCols.
     * (A matvec per slice cost a hand-off per slice: 16 loops per w_down, 1-1.5 ms of idle thread time per token.)
     */
    public void matvec(float[] x, float[] out) {
        inPlace.check(x, 1, out);
        matvecEach(x, 1, out);
    }

    /** n matvecs over the slices, one token after the other (one parallel loop per token), as {@link BlockMatrix#matmul} runs its smallest batches. */
    private void matvecEach(float[] x, int n, float[] out) {
        if (grouped) {
            matvecEachGrouped(x, n, out);
            return;
        }
        ComputePool pool = ComputePool.current();
        float[] buf = inPlace.borrowKernelX(pool, x, n);
        float[] xa = block.arrangesX() ? buf : x, sums = block.sumsGroup() == 0 ? null : buf;
        int rows = rows(), cols = cols(), sums0 = inPlace.kernelSumsOffset(n);
        int sumsPerToken = block.sumsGroup() == 0 ? 0 : cols / block.sumsGroup(), sumsPerSlice = block.sumsGroup() == 0 ? 0 : sliceCols / block.sumsGroup();
        int sliceBlocks = sliceCols / block.blockSize();
        try {
            for (int token = 0; token < n; token++) {
                int xOff = token * cols, sumsOff = sums0 + token * sumsPerToken, outOff = token * rows;
                pool.parallelForRange(rows, (start, end) -> {
                    for (int s = 0; s < slices.length; s++) {
                        MemorySegment slice = slices[s];
                        for (int r = start; r < end; r++) {
                            float d = block.dotArranged(slice, r * sliceRowBytes, xa, xOff + s * sliceCols, sums, sumsOff + s * sumsPerSlice, sliceBlocks);
                            out[outOff + r] = s == 0 ? d : out[outOff + r] + d;
                        }
                    }
                });
            }
        } finally {
            if (buf != null) pool.giveBack(buf);
        }
    }

    /** {@link #matvecEach} over slices of {@link Q6_KGroups}: x as it is, no sums. */
    private void matvecEachGrouped(float[] x, int n, float[] out) {
        int rows = rows(), cols = cols(), sliceBlocks = sliceCols / 256;
        for (int token = 0; token < n; token++) {
            int xOff = token * cols, outOff = token * rows;
            ComputePool.current().parallelForRange(rows, (start, end) -> {
                // rows start + i and start + half + i in pairs (two weight streams), as BlockMatrix's matvec pairs them
                int half = (end - start + 1) / 2;
                java.util.Arrays.fill(out, outOff + start, outOff + end, 0f);
                for (int s = 0; s < slices.length; s++) {
                    MemorySegment[] views = rowViews[s];
                    int xs = xOff + s * sliceCols;
                    for (int a = start, b = start + half; b < end; a++, b++) {
                        Q6_KGroups.dot2Rows(views[a], views[b], x, xs, sliceBlocks, out, outOff + a, outOff + b);
                    }
                    if ((end - start) % 2 != 0) {
                        int last = start + half - 1;
                        out[outOff + last] += Q6_KGroups.dot(views[last], x, xs, sliceBlocks);
                    }
                }
            });
        }
    }

    public void matmul(float[] x, int n, float[] out) {
        if (n <= BlockMatrix.EACH_MAX_TOKENS) {
            inPlace.check(x, n, out);
            matvecEach(x, n, out);
        } else {
            inPlace.matmul(x, n, out);
        }
    }

    /** The copy in column slices: as many bytes as the matrix in place (Q6_K repacked into groups: 320 / 210 of it). */
    @Override
    public long copiedBytes() {
        return slices.length * sliceRowBytes * rows();
    }

    public void dequantizeRow(int row, float[] dst, int offset) {
        inPlace.dequantizeRow(row, dst, offset);
    }

    public Matrix firstRows(int n) {
        BlockMatrix first = (BlockMatrix) inPlace.firstRows(n);
        MemorySegment[] firstSlices = new MemorySegment[slices.length];
        for (int s = 0; s < slices.length; s++) firstSlices[s] = slices[s].asSlice(0, n * sliceRowBytes);
        return new ColumnSlicedMatrix(first, sliceCols, firstSlices);
    }

    @Override
    public String toString() {
        return inPlace + ", its matvec over " + slices.length + " column slices of " + sliceCols;
    }
}
