package jmistral.cli;

import io.helidon.logging.common.spi.LoggingProvider;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The server's log as {@code jmistral serve} shows it: one line per record ({@code 16:31:10 INFO message}),
 * jmistral at INFO (the startup line, one line per request), Helidon only from WARNING up (its start-up
 * chatter says nothing a user needs). Registered as Helidon's logging provider, which also keeps Helidon
 * from printing that it found no logging implementation; a {@code java.util.logging.config.file} given
 * by the user wins.
 */
public final class ServeLogging implements LoggingProvider {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override
    public void initialization() {
        configure();
    }

    @Override
    public void runTime() {
    }

    /** Sets up the root logger once (idempotent); does nothing when the user configured logging. */
    static synchronized void configure() {
        if (System.getProperty("java.util.logging.config.file") != null) return;
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h.getFormatter() instanceof OneLine) return;
        }
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new OneLine());
        console.setLevel(Level.ALL);
        root.addHandler(console);
        root.setLevel(Level.INFO);
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
    }

    /** {@code HH:mm:ss LEVEL message}, then the stack trace when there is one. */
    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder s = new StringBuilder()
                    .append(LocalTime.ofInstant(r.getInstant(), java.time.ZoneId.systemDefault()).format(TIME))
                    .append(' ').append(r.getLevel().getName()).append(' ').append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                s.append(trace);
            }
            return s.toString();
        }
    }
}
