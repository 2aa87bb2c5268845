package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * W [rows][cols] with a copy of its weights in row tiles (rows in the vector lanes, {@link RowTileFormat}: Q6_K in
 * {@link Int8RowTiles}, Q4_K in {@link Q4_KRowTiles}), which its decode products read: the matvec and products of up to
 * {@link #MAX_TOKENS} tokens (batched decode, verification of drafts, short prompts); larger products (prefill) too,
 * through {@link StripGemm}, where the copy takes the place of the matrix's pages ({@link #replacesPages}) or where that
 * is ahead of the matrix in place's GEMM ({@link StripGemm#aheadOfPanels}: 65 to 84 tokens, ...). Row lookups use the
 * matrix in place.
 *
 * <pre>
 * copy     [strips][strip bytes], strips of 16 rows, padded with zero rows to a multiple of {@value #UNIT_ROWS} rows
 * matvec   per 4 strips a quarter of the thread's range apart, whole rows ({@link #oneTokenSpread}; rows not a multiple of
 *          64: per unit of 64 rows, 4 adjacent strips): {@link Int8RowTiles#rows64x1}
 * n tokens in passes of up to 8: x transposed to xt [cols][8] (or [cols][4]) per pass; per unit, every pass in turn:
 *          {@link Int8RowTiles#rows32x8} (or rows32x4) on each half of the unit; a single token left: rows64x1
 * </pre>
 * Rows longer than {@link #CHUNK_COLS} (w_down's 32768) are taken in column chunks of that many within each thread's
 * units, so that a pass's xt chunk (256 KB at 8 tokens) stays in L2 while every unit of the thread reads it (one token's
 * pass reads whole rows).
 *
 * <p>Which matrices: the Q6_K ones with rows longer than 4096 columns (the output projection, w_down) and every Q4_K one,
 * exactly repacked; {@link Matrix#withTiledCopy} decides. Q6_K: before, these kept a copy in column slices of row-major
 * groups (so that a row kernel's x stayed in L1); their products of several tokens used the rows in place, dequantizing
 * panels. Measured: eight tokens about twice as fast as the panels (in one JVM, see {@link Int8RowTiles});
 * {@code bench --batch 8} on the 2-layer Q4_K_M model 43-48 tok/s aggregate against 24-34, verifying 8 drafts 234-266
 * ms against 293-334; one token's output projection 3-4 ms faster than the row-major groups (see
 * {@link Int8RowTiles#rows64x1}). Q4_K (2026-12-07 late): see {@link Q4_KRowTiles}.
 *
 * <p>The cost: the copy, 276 bytes per 256 weights for Q6_K, 152 for Q4_K (for the 24B model at Q4_K_M, every Q6_K and
 * Q4_K matrix is about 15.6 GB). Beside the file's pages where memory holds both (prefill then reads the file, as fast
 * as before); else in their place ({@link #replacesPages}: the mapping lets go of them, and a copy adds only its bytes
 * beyond the file's, Q4_K 6%, Q6_K 31%: about 1.6 GB for the 24B model). {@link jmistral.model.Checkpoint} decides, and
 * copies the output projection first, then layer by layer, while the weights take at most three quarters of physical
 * memory; {@code -Djmistral.matrix.tiles=false} keeps every matrix in place, {@code -Djmistral.matrix.tiles.q4k=false}
 * copies Q6_K only.
 */
final class RowTiledMatrix implements Matrix {

    /** Rows per unit of work: four strips, what {@link Int8RowTiles#rows64x1} takes (the others take two). */
    static final int UNIT_ROWS = 4 * RowTileFormat.STRIP_ROWS;
    /**
     * Products of up to this many tokens go through the decode kernels in passes of 8 (batched decode, verification,
     * short prompts); more through a prefill GEMM ({@link StripGemm}, or the matrix in place's). The passes take each
     * unit of 64 rows one after the other ({@link #run}): the first reads the unit's strips from memory, the others from
     * L2, which is what makes 8-token passes ahead of the GEMMs up to 64 tokens. Measured (one JVM, 2 threads, wall ms
     * per 8 tokens, five alternated rounds, 2026-12-08): 32768 x 5120 Q4_K (w_gate, w_up) at 17 tokens 8.8-9.1 against
     * StripGemm 15.5-15.9 and the matrix in place 19.5-19.8; 32: 8.0-8.1 against 10.3-10.5 and 10.2-10.3; 64: 7.7-7.9
     * against 8.4-8.5 and 8.3-8.5; 128: 9.4-9.7 against 8.2-8.5 (each pass's xt no longer in L2). 5120 x 32768 (w_down),
     * Q4_K: 17 tokens 10.8-11.6 against 16.8-18.1 and 22.1-23.8, 32: 9.8-10.3 against 11.8-12.7 and 11.9-12.5, 64 even
     * (9.8-10.2 against 10.0-10.7 and 9.9-10.9); Q6_K: 32 tokens 8.5-8.9 against 11.8-12.6 and 10.8-13.0, 64: 8.5-8.9
     * against 10.2-10.5 and 8.9-9.7, 96: 9.0-10.3 against 10.2-11.3 and 9.0-10.0. With each pass over the whole matrix
     * (before), 9 tokens cost an 8-token pass and a 1-token pass from memory (13.8-14.4 ms against 13.1-13.9 now, 2
     * threads, rounds 2 to 8; on one thread 5.8-8.5 against 4.9-5.4 for 8192 x 5120), and 16 was where the GEMMs took over.
     */
    static final int MAX_TOKENS = Integer.getInteger("jmistral.tiles.maxTokens", 64);
    /** Columns per chunk of a long row. */
    static final int CHUNK_COLS = 8192;

    private final BlockMatrix inPlace; // [rows][cols], row-major: prefill, row lookups
    private final RowTileFormat format;
    private final MemorySegment[] strips; // [ceil(rows / 64) * 4], each a view of one strip's bytes from offset 0
    private final int tiles; // per strip: cols / format.tileCols
    private final Pass[][] passesByTokens = new Pass[MAX_TOKENS + 1][]; // made on first use, nothing allocated per call after

    /**
     * Whether the copy takes the place of the matrix's pages: prefill reads the copy ({@link StripGemm}) and nothing
     * reads the pages after the copy is made; else prefill reads the matrix in place ({@link PrefillGemm}, up to 10%
     * faster at 512 tokens), and its pages stay in memory beside the copy.
     */
    private final boolean replacesPages;

    private RowTiledMatrix(BlockMatrix inPlace, RowTileFormat format, MemorySegment[] strips, boolean replacesPages) {
        this.inPlace = inPlace;
        this.format = format;
        this.strips = strips;
        this.tiles = inPlace.cols() / format.tileCols;
        this.replacesPages = replacesPages;
    }

    /**
     * Whether Q4_K matrices get a copy ({@code -Djmistral.matrix.tiles.q4k=false}: Q6_K only, as before 2026-12-07 late).
     */
    static final boolean Q4_K_TILES = Boolean.parseBoolean(System.getProperty("jmistral.matrix.tiles.q4k", "true"));

    /**
     * The layout of a matrix of this format and size's tiled copy ({@link Matrix#withTiledCopy}), or null for none: Q6_K
     * rows longer than 4096 columns, Q4_K rows of any length.
     */
    static RowTileFormat tiles(BlockType block, int cols) {
        if (!Boolean.parseBoolean(System.getProperty("jmistral.matrix.tiles", "true"))) return null;
        return switch (block.type()) {
            case Q6_K -> cols > 4096 ? RowTileFormat.Q6_K_INT8 : null;
            case Q4_K -> Q4_K_TILES ? RowTileFormat.Q4_K_NIBBLES : null;
            default -> null;
        };
    }

    /** Bytes of the copy of a rows x cols matrix in this layout: rows padded to a multiple of {@value #UNIT_ROWS}. */
    static long copyBytes(RowTileFormat format, int rows, int cols) {
        return units(rows) * 4L * format.stripBytes(cols);
    }

    private static int units(int rows) {
        return (rows + UNIT_ROWS - 1) / UNIT_ROWS;
    }

    /**
     * The Q6_K or Q4_K matrix in place (its bytes at data[0 ..]) with its copy in tiles ({@link RowTileFormat}), in
     * memory freed with the matrix; {@code replacePages}: the copy takes the place of the matrix's pages
     * ({@link #replacesPages}).
     */
    static RowTiledMatrix copyOf(BlockMatrix inPlace, MemorySegment data, boolean replacePages) {
        RowTileFormat format = RowTileFormat.of(inPlace.type());
        if (format == null) throw new IllegalArgumentException(inPlace.type() + " has no tiled copy");
        int rows = inPlace.rows(), cols = inPlace.cols();
        long stripBytes = format.stripBytes(cols), rowBytes = inPlace.type().bytesFor(cols);
        MemorySegment[] strips = new MemorySegment[4 * units(rows)];
        MemorySegment copy = PrivateMapping.allocate(copyBytes(format, rows, cols));
        for (int s = 0; s < strips.length; s++) strips[s] = copy.asSlice(s * stripBytes, stripBytes);
        // strips over the pool: the repack is what this copy costs at load
        ComputePool.current().parallelFor(strips.length, s -> format.repack(data, rowBytes, rows, s * RowTileFormat.STRIP_ROWS, cols, strips[s]));
        // nothing reads these pages again (prefill reads the copy too): the mapping lets go of them now, so that the
        // process's resident memory is the copy, not the copy and the file (the pages stay in the OS's cache until it
        // needs the memory; an access reads them again, as from any mapped file). Read-only mappings only: there,
        // nothing written can be lost.
        if (replacePages && data.isMapped() && data.isReadOnly()) data.asSlice(0, inPlace.bytes()).unload();
        return new RowTiledMatrix(inPlace, format, strips, replacePages);
    }

    public GgmlType type() { return inPlace.type(); }

    public int rows() { return inPlace.rows(); }

    public int cols() { return inPlace.cols(); }

    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out);
    }

    public void matmul(float[] x, int n, float[] out) {
        inPlace.check(x, n, out);
        if (n > MAX_TOKENS) {
            if (replacesPages || StripGemm.aheadOfPanels(n)) StripGemm.matmul(format, strips, rows(), cols(), x, n, out);
            else inPlace.matmul(x, n, out);
            return;
        }
        Pass[] passes = passes(n);
        ComputePool pool = ComputePool.current();
        Pass last = passes[passes.length - 1];
        // one scratch array from the pool: the passes' transposed x, then, where the format reads them, x's sums over each
        // tile for the single token's pass (there is at most one, the last)
        int sumsAt = last.xtAt() + (last.width() > 1 ? last.width() * cols() : 0);
        int scratchFloats = sumsAt + (last.width() == 1 && format.needsSums() ? tiles : 0);
        float[] scratch = scratchFloats == 0 ? null : pool.borrowFloats(scratchFloats);
        for (Pass p : passes) {
            if (p.width() > 1) PrefillGemm.transposeTokens(x, p.first(), p.count(), p.width(), cols(), scratch, p.xtAt());
        }
        if (scratchFloats > sumsAt) XSums.into(x, last.first() * cols(), cols(), format.tileCols, scratch, sumsAt);
        try {
            pool.parallelForRange(units(rows()), (start, end) -> run(passes, x, scratch, sumsAt, start, end, out));
        } finally {
            if (scratch != null) pool.giveBack(scratch);
        }
    }

    /**
     * One pass over the weights: tokens [first, first + count) through the kernel for {@code width} tokens (1, 4 or 8;
     * a pass of fewer runs zero x for the rest); for 4 and 8, their x transposed, xt [cols][width] at xt[xtAt ..].
     */
    private record Pass(int first, int count, int width, int xtAt) {}

    /**
     * How n tokens are taken, made on first use (immutable: a race makes an equal one): passes of 8 tokens while 5 or
     * more are left, then one of 4 (2 to 4 left), a last single token on its own.
     */
    private Pass[] passes(int n) {
        Pass[] made = passesByTokens[n];
        if (made != null) return made;
        java.util.List<Pass> passes = new java.util.ArrayList<>();
        for (int t = 0, xtAt = 0; t < n; ) {
            int left = n - t, width = left >= 5 ? 8 : left >= 2 ? 4 : 1, count = Math.min(width, left);
            passes.add(new Pass(t, count, width, xtAt));
            if (width > 1) xtAt += width * cols();
            t += count;
        }
        return passesByTokens[n] = passes.toArray(Pass[]::new);
    }

    /**
     * One token's pass takes its four strips a quarter of the thread's range apart ({@link #oneTokenSpread}) rather
     * than four adjacent ones; {@code -Djmistral.tiles.spread=false} turns that off.
     */
    static final boolean SPREAD_STRIPS = Boolean.parseBoolean(System.getProperty("jmistral.tiles.spread", "true"));

    /**
     * One token's pass over units [start, end) (rows a multiple of 64), all columns: the thread's 4q strips taken
     * four at a time a quarter of the range apart (strips 4 start + i, + q, + 2q, + 3q), not four adjacent ones. The
     * same bytes, read as four streams megabytes apart instead of 88 KB apart: the output projection of the 2-layer
     * Q4_K_M model (131072 x 5120, 1024 strips per thread) read 14.5-20.7 ms against 17.1-24.7 for adjacent strips,
     * eight alternated pairs of {@code bench --profile} (as Q8_0's four-row kernel, whose rows are a quarter apart,
     * read the Q8_0 output projection faster per byte than these tiles did); w_down 10.3-12.1 against 9.8-13.0. Whole
     * rows, no column chunks: one token's x is one broadcast per column, not worth keeping in L1, and each strip is then
     * one stream from start to end (w_down's step, eight pairs against chunks of 8192 columns: 46.6-60.1 ms against
     * 47.5-63.2, the step shorter in six).
     */
    private void oneTokenSpread(float[] x, int token, float[] xt, int sumsAt, int start, int end, float[] out) {
        int q = end - start, first = 4 * start, o = token * rows(), xOff = token * cols();
        for (int i = 0; i < q; i++) {
            int k0 = first + i, k1 = k0 + q, k2 = k1 + q, k3 = k2 + q;
            format.rows64x1(strips[k0], strips[k1], strips[k2], strips[k3], x, xOff, xt, sumsAt, 0, tiles, out,
                    o + RowTileFormat.STRIP_ROWS * k0, o + RowTileFormat.STRIP_ROWS * k1, o + RowTileFormat.STRIP_ROWS * k2, o + RowTileFormat.STRIP_ROWS * k3);
        }
    }

    /**
     * Units [start, end) of 64 rows, every pass, column chunk by column chunk; the single token's tile sums at
     * xt[sumsAt ..], if read. The passes take a unit's chunk one after the other, while its strips are in cache (L2):
     * only the first pass reads them from memory (see {@link #MAX_TOKENS}).
     */
    private void run(Pass[] passes, float[] x, float[] xt, int sumsAt, int start, int end, float[] out) {
        int rows = rows(), chunkTiles = Math.min(tiles, CHUNK_COLS / format.tileCols);
        for (Pass p : passes) {
            for (int u = start; u < end; u++) {
                int r0 = u * UNIT_ROWS, n = Math.min(UNIT_ROWS, rows - r0);
                for (int j = 0; j < p.count(); j++) Arrays.fill(out, (p.first() + j) * rows + r0, (p.first() + j) * rows + r0 + n, 0f);
            }
        }
        if (passes.length == 1 && passes[0].width() == 1 && SPREAD_STRIPS && rows % UNIT_ROWS == 0) {
            oneTokenSpread(x, passes[0].first(), xt, sumsAt, start, end, out);
            return;
        }
        for (int t0 = 0; t0 < tiles; t0 += chunkTiles) {
            int t1 = Math.min(tiles, t0 + chunkTiles);
            for (int u = start; u < end; u++) {
                int r0 = u * UNIT_ROWS;
                for (Pass p : passes) {
                    if (r0 + UNIT_ROWS <= rows) {
                        unit(u, p.width(), p.count(), x, p.first() * cols(), xt, sumsAt, p.xtAt(), t0, t1, out, p.first() * rows + r0, rows);
                    } else { // the last unit of a matrix whose rows are not a multiple of 64
                        partialUnit(u, p.width(), p.first(), p.count(), x, xt, sumsAt, p.xtAt(), t0, t1, out);
                    }
                }
            }
        }
    }

    /**
     * One unit's 64 rows for one pass's tokens over tiles [t0, t1), added to out[o + j * stride + i] (token j < count, row
     * i); a pass of 4 or 8 with fewer tokens runs zero x for the rest and writes only its own.
     */
    private void unit(int u, int width, int count, float[] x, int xOff, float[] xt, int sumsAt, int xtAt, int t0, int t1, float[] out, int o,
                      int stride) {
        MemorySegment s0 = strips[4 * u], s1 = strips[4 * u + 1], s2 = strips[4 * u + 2], s3 = strips[4 * u + 3];
        if (width == 1) {
            format.rows64x1(s0, s1, s2, s3, x, xOff, xt, sumsAt, t0, t1, out, o, o + 16, o + 32, o + 48);
        } else if (width == 4) {
            format.rows32x4(s0, s1, xt, xtAt, t0, t1, out, o, stride, count);
            format.rows32x4(s2, s3, xt, xtAt, t0, t1, out, o + 32, stride, count);
        } else {
            format.rows32x8(s0, s1, xt, xtAt, t0, t1, out, o, stride, count);
            format.rows32x8(s2, s3, xt, xtAt, t0, t1, out, o + 32, stride, count);
        }
    }

    /**
     * {@link #unit} for a unit that runs past the last row: into a scratch [count][64] of its own, then its rows that
     * exist to out (only where rows are not a multiple of 64: small test models, never the model's matrices).
     */
    private void partialUnit(int u, int width, int first, int count, float[] x, float[] xt, int sumsAt, int xtAt, int t0, int t1, float[] out) {
        int rows = rows(), r0 = u * UNIT_ROWS, n = rows - r0;
        float[] scratch = new float[count * UNIT_ROWS];
        for (int j = 0; j < count; j++) System.arraycopy(out, (first + j) * rows + r0, scratch, j * UNIT_ROWS, n);
        unit(u, width, count, x, first * cols(), xt, sumsAt, xtAt, t0, t1, scratch, 0, UNIT_ROWS);
        for (int j = 0; j < count; j++) System.arraycopy(scratch, j * UNIT_ROWS, out, (first + j) * rows + r0, n);
    }

    /** The copy in tiles (rows padded to a multiple of 64). */
    @Override
    public long copiedBytes() {
        return strips.length * format.stripBytes(cols());
    }

    /** The matrix in place's bytes, where the copy takes their place ({@link #replacesPages}). */
    @Override
    public long replacedBytes() {
        return replacesPages ? inPlace.bytes() : 0;
    }

    public void dequantizeRow(int row, float[] dst, int offset) {
        inPlace.dequantizeRow(row, dst, offset);
    }

    public Matrix firstRows(int n) {
        return new RowTiledMatrix((BlockMatrix) inPlace.firstRows(n), format, Arrays.copyOf(strips, 4 * units(n)), replacesPages);
    }

    @Override
    public String toString() {
        return inPlace + ", its decode products over a copy in int8 row tiles";
    }
}
