package jmistral.tensor;

/**
 * A 2-D weight matrix W [rows][cols] stored in any {@link GgmlType}, used in place (row-major: each
 * row is cols/blockSize consecutive blocks). This is the one abstraction the model multiplies with;
 * activations are plain f32 arrays.
 */
public interface Matrix {

    GgmlType type();

    int rows();

    int cols();

    /**
     * Matrix-vector product (decode): {@code out[r] = dot(W[r], x)} for every row r.
     * x: [cols], out: [rows].
     */
    void matvec(float[] x, float[] out);

    /**
     * Matrix-matrix product (prefill, batches): {@code out[t*rows + r] = dot(W[r], x[t*cols ...])} for t < n.
     * x: [n][cols] row-major, out: [n][rows] row-major. From a few tokens on, implementations read each weight
     * block once for a tile of tokens rather than looping over matvec; one token is its matvec.
     */
    void matmul(float[] x, int n, float[] out);

    /** Bytes of weights this matrix keeps in memory of its own, besides its tensor's (0: used in place only). */
    default long copiedBytes() {
        return 0;
    }

    /**
     * Bytes of its tensor that nothing reads once the copy is made ({@link #copiedBytes}; 0 for a matrix used in place,
     * and for a copy beside the tensor's pages): the copy takes their place in memory (a mapped file's pages are let go).
     */
    default long replacedBytes() {
        return 0;
    }

    /** Writes row r as f32 into dst[offset .. offset + cols) (embedding lookup, tests). */
    void dequantizeRow(int row, float[] dst, int offset);

    /** The first {@code n} rows, over the same memory (no copy): warm-up and tests on a real file's bytes. */
    Matrix firstRows(int n);

    /** A matrix over a 2-D tensor view (shape {cols, rows} in ggml order). */
    static Matrix of(TensorView tensor) {
        if (tensor.shape().length != 2 && !(tensor.shape().length > 2 && tensor.rows() * tensor.cols() == tensor.elementCount())) {
            throw new IllegalArgumentException(tensor + " is not a matrix");
        }
        return of(tensor.type(), Math.toIntExact(tensor.rows()), Math.toIntExact(tensor.cols()), tensor.data());
    }

    /**
     * A matrix over a 2-D tensor view for a model's decode: {@link #of(TensorView)}, in place, with for Q6_K rows longer
     * than 4096 columns and for Q4_K a copy of the weights in row tiles that all its products read, 1.1x to 1.8x (one
     * token) and 2x (eight) as fast ({@link RowTiledMatrix}), in place of the tensor's pages; other matrices in place only.
     */
    static Matrix withTiledCopy(TensorView tensor) {
        return withTiledCopy(tensor, Long.MAX_VALUE, true);
    }

    /**
     * {@link #withTiledCopy(TensorView)} where its copy adds at most {@code budgetBytes} to what the weights take in
     * memory, else the matrix in place. {@code replacePages}: the copy takes the place of the tensor's pages (prefill
     * reads the copy too, and a mapped file's pages are let go of), so it adds its bytes beyond the tensor's (Q6_K's copy
     * is 276/210 of the tensor, Q4_K's 152/144); else prefill reads the tensor in place (its GEMM there ran up to 10%
     * faster, {@link StripGemm}) and the copy adds all its bytes.
     */
    static Matrix withTiledCopy(TensorView tensor, long budgetBytes, boolean replacePages) {
        Matrix inPlace = of(tensor);
        long copy = tiledCopyBytes(inPlace);
        if (copy == 0) return inPlace;
        BlockMatrix m = (BlockMatrix) inPlace;
        long added = copy - (replacePages ? m.bytes() : 0);
        return added > budgetBytes ? inPlace : RowTiledMatrix.copyOf(m, tensor.data(), replacePages);
    }

    /** Bytes of the copy in row tiles {@link #withTiledCopy} makes of this tensor, 0 for none. */
    static long tiledCopyBytes(TensorView tensor) {
        return tiledCopyBytes(of(tensor));
    }

    private static long tiledCopyBytes(Matrix inPlace) {
        if (!(inPlace instanceof BlockMatrix m)) return 0;
        RowTileFormat format = RowTiledMatrix.tiles(m.blockType(), m.cols());
        return format == null ? 0 : RowTiledMatrix.copyBytes(format, m.rows(), m.cols());
    }

    /**
     * A matrix over raw weight bytes: {@code rows} rows of {@code cols} weights of the given type,
     * row-major, little-endian, used in place. Throws UnsupportedOperationException for a type the
     * engine cannot compute with and IllegalArgumentException when the data is too small.
     */
    static Matrix of(GgmlType type, int rows, int cols, java.lang.foreign.MemorySegment data) {
        return new BlockMatrix(BlockType.of(type), rows, cols, data);
    }
}
