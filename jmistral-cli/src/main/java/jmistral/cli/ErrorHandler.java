package jmistral.cli;

import picocli.CommandLine;

/** Prints a failed command's message without a stack trace (stack traces with --verbose / JMISTRAL_VERBOSE=1). */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        boolean verbose = "1".equals(System.getenv("JMISTRAL_VERBOSE"))
                || parseResult.originalArgs().contains("--verbose");
        if (verbose) ex.printStackTrace(cl.getErr());
        else cl.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
        return 1;
    }
}
