package jmistral.gguf;

import jmistral.tensor.GgmlType;

import java.util.Arrays;

/**
 * One entry of the GGUF tensor-info table. Stored as: name (GGUF string), uint32 n_dims,
 * n_dims x uint64 dims (ggml order: dims[0] is the contiguous one), uint32 ggml type id,
 * uint64 offset relative to the start of the data section (a multiple of the file's alignment).
 *
 * @param name       tensor name
 * @param shape      dims in ggml order
 * @param type       element type
 * @param offset     byte offset relative to the data section
 * @param byteSize   bytes of data ({@code type.bytesFor(elements)})
 * @param infoOffset file offset where this info entry starts (for error messages)
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset, long byteSize, long infoOffset) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
