package jmistral;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * Maps a whole model file read-only (FFM, 64-bit: any size) for the format readers (GGUF, safetensors).
 * The one place that owns "map, then parse; on any failure unmap and say which file".
 */
public final class MappedFile {
    private MappedFile() {
    }

    /** Builds the open file from its arena (closing it unmaps) and the mapping of the whole file. */
    @FunctionalInterface
    public interface Opener<T> {
        T open(Arena arena, MemorySegment mapping);
    }

    /**
     * Maps {@code path} in a shared arena and hands it to {@code opener}, which then owns the arena.
     * If mapping or the opener fails, the arena is closed; an I/O error becomes a {@link ModelFileException}
     * "cannot read {format} file".
     */
    public static <T> T open(Path path, String format, Opener<T> opener) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return opener.open(arena, mapping);
        } catch (IOException e) {
            arena.close();
            throw new ModelFileException(path, -1, "cannot read " + format + " file: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps {@code path} only while {@code reader} runs (its result must not keep views on the mapping),
     * e.g. to read a header; an I/O error becomes a {@link ModelFileException} "cannot read {format} file".
     */
    public static <T> T read(Path path, String format, Function<MemorySegment, T> reader) {
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return reader.apply(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException e) {
            throw new ModelFileException(path, -1, "cannot read " + format + " file: " + e, e);
        }
    }
}
