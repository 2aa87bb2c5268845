package jmistral;

import java.nio.file.Path;

/**
 * A model file (GGUF, safetensors, JSON config) that cannot be used: corrupt, truncated, hostile or
 * simply not what was expected. The message always names the file, the byte offset (when there is
 * one) and what was wrong, so a user can act on it. The message is one printable line of bounded length
 * ({@link Printable}): names read from a corrupt file can hold control bytes or run to megabytes.
 */
public class ModelFileException extends RuntimeException {
    private final Path file;
    private final long offset;

    public ModelFileException(Path file, long offset, String what) {
        super(format(file, offset, what));
        this.file = file;
        this.offset = offset;
    }

    public ModelFileException(Path file, long offset, String what, Throwable cause) {
        super(format(file, offset, what), cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file at fault (may be null when the data did not come from a file). */
    public Path file() { return file; }

    /** Byte offset in the file where the problem was found, or -1 when not applicable. */
    public long offset() { return offset; }

    private static String format(Path file, long offset, String what) {
        String where = file == null ? "<memory>" : Printable.escape(file.toString(), Printable.MAX_MESSAGE_CHARS);
        String text = Printable.escape(what, Printable.MAX_MESSAGE_CHARS);
        return offset >= 0 ? where + " at offset " + offset + ": " + text : where + ": " + text;
    }
}
