package jmistral.quantize;

import jmistral.tensor.GgmlType;

/**
 * One tensor of the output file: its GGUF name, what it is, its shape and the type it is written in.
 *
 * @param name  GGUF tensor name (e.g. blk.3.ffn_down.weight)
 * @param kind  role, which decided the type
 * @param layer decoder layer, -1 outside the layers
 * @param rows  rows (1 for a norm)
 * @param cols  row width (ggml ne[0])
 * @param type  output type
 * @param source where the f32 rows come from
 */
public record TensorPlan(String name, TensorKind kind, int layer, int rows, int cols, GgmlType type, RowSource source) {

    /** ggml shape: {cols} for a norm, {cols, rows} for a matrix. */
    public long[] shape() {
        return kind == TensorKind.NORM ? new long[] {cols} : new long[] {cols, rows};
    }

    /** Bytes this tensor takes in the output file. */
    public long bytes() {
        return type.bytesFor((long) rows * cols);
    }
}
