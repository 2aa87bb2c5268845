package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One named tensor as stored in a model file: a view on the file's mapping, never a copy.
 *
 * @param name  the tensor's name in its file (e.g. {@code blk.0.attn_q.weight})
 * @param type  element type
 * @param shape dimensions in ggml order: {@code shape[0]} is the innermost (contiguous) dimension.
 *              A PyTorch weight [out, in] has shape {in, out} here, i.e. {cols, rows}.
 *              safetensors readers convert their row-major shapes to this order.
 * @param data  the tensor's bytes, exactly {@code type.bytesFor(elementCount())} long
 */
public record TensorView(String name, GgmlType type, long[] shape, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Number of columns (the innermost dimension). */
    public long cols() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Number of rows: the product of all dimensions but the innermost. */
    public long rows() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
