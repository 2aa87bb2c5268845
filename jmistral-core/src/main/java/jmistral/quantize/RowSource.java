package jmistral.quantize;

import jmistral.model.RopeLayout;
import jmistral.tensor.Matrix;

/** Rows of one input tensor as f32, read on demand from the mapped file (safe to call from many threads). */
@FunctionalInterface
public interface RowSource {

    /** Writes row r (cols values) into dst[0 .. cols). */
    void row(int r, float[] dst);

    /** Rows of a matrix in its own order. */
    static RowSource of(Matrix m) {
        return (r, dst) -> m.dequantizeRow(r, dst, 0);
    }

    /** A 1-D weight as a single row. */
    static RowSource of(float[] vector) {
        return (r, dst) -> System.arraycopy(vector, 0, dst, 0, vector.length);
    }

    /**
     * q/k rows in GGUF's interleaved order, whatever order the checkpoint holds them in. HF checkpoints
     * permute them for rotate-half RoPE (model-arch.md 5): inside each head of size hd,
     * hf_row[c*(hd/2) + i] = interleaved_row[2i + c]; so interleaved row 2i + c is read from HF row
     * c*(hd/2) + i. This is llama.cpp's LlamaModel.permute, applied row by row.
     */
    static RowSource interleaved(Matrix m, RopeLayout layout, int headDim) {
        if (layout == RopeLayout.INTERLEAVED) return of(m);
        int half = headDim / 2;
        return (r, dst) -> {
            int head = r / headDim, j = r % headDim;
            m.dequantizeRow(head * headDim + (j % 2) * half + j / 2, dst, 0);
        };
    }
}
