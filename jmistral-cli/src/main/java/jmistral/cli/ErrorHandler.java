package jmistral.cli;

import jmistral.Printable;
import picocli.CommandLine;

/** Prints a failed command's message without a stack trace (stack traces with --verbose / JMISTRAL_VERBOSE=1). */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    /** An error is one printable line; a message carrying a file's corrupt bytes is escaped and cut. */
    private static final int MAX_CHARS = 1000;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        boolean verbose = "1".equals(System.getenv("JMISTRAL_VERBOSE"))
                || parseResult.originalArgs().contains("--verbose");
        if (verbose) ex.printStackTrace(cl.getErr());
        else cl.getErr().println("error: " + Printable.escape(ex.getMessage() == null ? ex.toString() : ex.getMessage(), MAX_CHARS));
        return 1;
    }
}
