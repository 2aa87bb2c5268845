package jmistral.safetensors;

import java.util.Arrays;

/**
 * One header entry: {@code "name": {"dtype": "BF16", "shape": [out, in], "data_offsets": [begin, end]}}.
 *
 * @param name  tensor name
 * @param dtype element type
 * @param shape row-major (PyTorch) shape, outermost first: the REVERSE of ggml order
 * @param begin byte offset of the data, relative to the end of the header
 * @param end   exclusive end offset, relative to the end of the header
 */
public record SafetensorsTensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() { return end - begin; }

    /** Shape in ggml order (innermost first), as {@link jmistral.tensor.TensorView} wants it. */
    public long[] ggmlShape() {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) r[i] = shape[shape.length - 1 - i];
        return r;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
