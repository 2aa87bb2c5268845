package jmistral.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs hostile inputs of one format and collects every defect instead of stopping at the first: an input
 * must either be accepted or refused with the project's exception for that format, whose message is one
 * printable line of at most {@link #MAX_MESSAGE_CHARS} characters; any other exception or error (a
 * NullPointerException, ClassCastException, IndexOutOfBounds, OutOfMemoryError, StackOverflowError) leaking
 * out, or anything printed to standard error (a stack trace), is a defect. The seed is printed so a failure can
 * be replayed with {@code -Djmistral.fuzz.seed=N}.
 */
final class FuzzRun {
    /** The seed of every generator; {@code -Djmistral.fuzz.seed} replays another run. */
    static final long SEED = Long.getLong("jmistral.fuzz.seed", 17_2026L);
    /** {@code -Djmistral.fuzz.verbose=true} prints every case and what became of it. */
    private static final boolean VERBOSE = Boolean.getBoolean("jmistral.fuzz.verbose");
    /** Longest error message accepted (the Printable limit of 500 plus a file name). */
    static final int MAX_MESSAGE_CHARS = 700;

    /** An input's processing: open, decode or render it. */
    @FunctionalInterface
    interface Input {
        void process() throws Exception;
    }

    private final String format;
    private final Class<? extends RuntimeException> refusal;
    private final List<String> defects = new ArrayList<>();
    private int cases, refused;
    private long slowestNanos;
    private String slowest = "";

    FuzzRun(String format, Class<? extends RuntimeException> refusal) {
        this.format = format;
        this.refusal = refusal;
    }

    /** Processes one input named {@code name} (which says how it was made) and records what was wrong. */
    void check(String name, Input input) {
        cases++;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        long start = System.nanoTime();
        try {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            input.process();
        } catch (Throwable t) {
            if (refusal.isInstance(t)) {
                refused++;
                checkMessage(name, t.getMessage());
                if (VERBOSE) System.out.println("  refused: " + t.getMessage());
            } else {
                defects.add(name + ": leaked " + t.getClass().getName() + ": " + cut(String.valueOf(t.getMessage())));
            }
        } finally {
            System.setErr(err);
        }
        long took = System.nanoTime() - start;
        if (took > slowestNanos) {
            slowestNanos = took;
            slowest = name;
        }
        String stderr = printed.toString(StandardCharsets.UTF_8);
        if (VERBOSE) System.out.printf("%6.0f ms  %s%n", took / 1e6, name);
        if (!stderr.isEmpty()) defects.add(name + ": printed to stderr: " + cut(stderr));
    }

    private void checkMessage(String name, String message) {
        if (message == null || message.isBlank()) {
            defects.add(name + ": refused without a message");
            return;
        }
        if (message.length() > MAX_MESSAGE_CHARS) defects.add(name + ": message of " + message.length() + " chars: " + cut(message));
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029) {
                defects.add(name + ": message holds control character " + (int) c + ": " + cut(message));
                return;
            }
        }
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    /** Prints the run's summary and fails listing the defects, if any. */
    void assertClean() {
        System.out.printf("fuzz %s: seed %d, %d cases, %d refused, %d accepted, slowest %.0f ms (%s)%n", format, SEED, cases,
                refused, cases - refused, slowestNanos / 1e6, slowest);
        if (!defects.isEmpty()) {
            fail(defects.size() + " of " + cases + " hostile " + format + " inputs (seed " + SEED + ") went wrong:\n  "
                    + String.join("\n  ", defects.subList(0, Math.min(defects.size(), 25))));
        }
    }

    int cases() { return cases; }
}
