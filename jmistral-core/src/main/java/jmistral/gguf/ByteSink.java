package jmistral.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Helpers to stream bytes into a channel: whole buffers, memory segments in chunks, float arrays, zero padding,
 * and the two steps every model-file writer (GGUF, safetensors) shares: {@link #writeFile} and {@link #writeTensor}.
 */
public final class ByteSink {
    /** Chunk size for segment and array copies: big enough to be fast, small enough for any heap. */
    private static final int CHUNK = 1 << 20;

    private ByteSink() {
    }

    public static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }

    /** Writes a segment of any size (also beyond 2 GB) in chunks. */
    public static void write(WritableByteChannel out, MemorySegment data) throws IOException {
        for (long pos = 0; pos < data.byteSize(); pos += CHUNK) {
            writeFully(out, data.asSlice(pos, Math.min(CHUNK, data.byteSize() - pos)).asByteBuffer());
        }
    }

    /** Writes floats little-endian. */
    public static void writeF32(WritableByteChannel out, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; ) {
            buf.clear();
            int n = Math.min(data.length - i, CHUNK / 4);
            buf.asFloatBuffer().put(data, i, n);
            buf.limit(n * 4);
            writeFully(out, buf);
            i += n;
        }
    }

    public static void zeros(WritableByteChannel out, long n) throws IOException {
        ByteBuffer z = ByteBuffer.allocate((int) Math.min(n, CHUNK));
        while (n > 0) {
            z.clear().limit((int) Math.min(n, z.capacity()));
            n -= z.remaining();
            writeFully(out, z);
        }
    }

    /** What a file writer puts into the file, start to end. */
    @FunctionalInterface
    public interface FileContents {
        void write(FileChannel out) throws IOException;
    }

    /** Creates (or replaces) {@code path} and fills it; on any failure the partial file is deleted. */
    public static void writeFile(Path path, FileContents contents) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            contents.write(ch);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Streams one tensor's data and checks its writer wrote exactly {@code byteSize} bytes.
     *
     * @param layout the tensor's type and shape, for the error message (e.g. "Q8_0 [64, 2]")
     */
    public static void writeTensor(WritableByteChannel out, String name, String layout, long byteSize, TensorWriter data)
            throws IOException {
        Counting counting = new Counting(out);
        data.write(counting);
        if (counting.count() != byteSize) {
            throw new IOException("tensor '" + name + "': its writer wrote " + counting.count()
                    + " bytes, " + layout + " needs " + byteSize);
        }
    }

    /** Counts what passes through, so writers can check a {@link TensorWriter} wrote exactly its size. */
    public static final class Counting implements WritableByteChannel {
        private final WritableByteChannel out;
        private long count;

        public Counting(WritableByteChannel out) {
            this.out = out;
        }

        public long count() { return count; }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() { return out.isOpen(); }

        @Override
        public void close() {
            // the underlying file stays open: the writer owns it
        }
    }
}
