package jmistral.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Memory for a copy of weights, allocated as a private (copy-on-write) mapping of an empty sparse temporary file,
 * deleted at once: written pages become the process's own anonymous memory (nothing goes to the disk, the file's
 * holes read as zeros), freed when the segment is no longer reachable.
 *
 * <p>Why not {@code Arena.allocate}: the vector loads of every kernel go through the same JDK helper, whose type
 * profile C2 compiles from. The model file's mapping is a mapped segment; a copy in plain native memory makes that
 * profile see two segment classes, and C2 then compiled the row tiles' kernel with a class check, a bounds check and
 * a scope check per load (about 300 instructions per 8 FMAs against 53, disassembled in the engine; the output
 * projection 26-31 ms against 21-22 for the kernel before). A mapped copy keeps one class. Where a temporary file
 * cannot be made or mapped, the copy is plain native memory (slower kernels, same results).
 */
final class PrivateMapping {
    private PrivateMapping() {}

    /** {@code bytes} of zeroed memory, aligned to a page, freed when unreachable. */
    static MemorySegment allocate(long bytes) {
        Path file = null;
        try {
            file = Files.createTempFile("jmistral-copy", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (bytes > 0) ch.write(java.nio.ByteBuffer.allocate(1), bytes - 1); // the file's size: a hole, then one byte
                return ch.map(FileChannel.MapMode.PRIVATE, 0, bytes, Arena.ofAuto());
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Arena.ofAuto().allocate(bytes, 4096);
        } finally {
            delete(file);
        }
    }

    /** Deletes the file now, or (where a mapped file cannot be deleted, as on Windows) when the JVM exits. */
    private static void delete(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
