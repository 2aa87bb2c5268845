package jmistral.cli;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Quiets the libraries that log through java.util.logging on their own: PDFBox and FontBox (by way of
 * commons-logging) print an INFO or WARNING line for many ordinary PDFs and a stack trace for broken ones,
 * while every failure that matters already reaches the user as the command's one-line error. Off by default;
 * WARNING and up with {@code --verbose} / {@code JMISTRAL_VERBOSE=1}; a {@code java.util.logging.config.file}
 * given by the user wins.
 */
final class LibraryLogging {
    /** Held so the levels stay set: java.util.logging keeps loggers only weakly. */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.apache.pdfbox"), Logger.getLogger("org.apache.fontbox"));

    private LibraryLogging() {}

    static void configure(boolean verbose) {
        if (System.getProperty("java.util.logging.config.file") != null) return;
        for (Logger l : QUIETED) l.setLevel(verbose ? Level.WARNING : Level.OFF);
    }
}
