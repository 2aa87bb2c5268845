package jmistral.gguf;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * Streams one tensor's bytes into a file being written, so huge tensors never sit in memory.
 * Must write exactly the number of bytes the tensor's type and shape call for
 * ({@code type.bytesFor(elements)}); writers check it.
 */
@FunctionalInterface
public interface TensorWriter {
    void write(WritableByteChannel out) throws IOException;
}
