package jmistral.hub;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal (normally stderr), redrawn at most 10 times a second:
 * <pre>model-Q4_K_M.gguf  42% [=========>            ] 6.02 GB / 14.33 GB  85.3 MB/s  ETA 1m37s</pre>
 * Speed counts only this session's bytes (not the part resumed from disk).
 */
public final class ProgressBar implements ProgressListener {

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final LongSupplier clock;
    private final AtomicLong done = new AtomicLong();
    private volatile String name = "";
    private volatile long total;
    private volatile long startDone;
    private volatile long startNanos;
    private long lastDraw;

    public ProgressBar(PrintStream out) {
        this(out, System::nanoTime);
    }

    ProgressBar(PrintStream out, LongSupplier nanoClock) {
        this.out = out;
        this.clock = nanoClock;
    }

    /** True when stderr is a terminal (JDK 22+: Console.isTerminal), i.e. when a bar makes sense. */
    public static boolean stderrIsTerminal() {
        var c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public void start(String name, long total, long alreadyDone) {
        this.name = name;
        this.total = total;
        this.startDone = alreadyDone;
        this.done.set(alreadyDone);
        this.startNanos = clock.getAsLong();
        synchronized (this) {
            lastDraw = 0;
        }
        draw(true);
    }

    @Override
    public void advance(long bytes) {
        done.addAndGet(bytes);
        draw(false);
    }

    @Override
    public void finish() {
        draw(true);
        out.print('\n');
        out.flush();
    }

    private void draw(boolean force) {
        long now = clock.getAsLong();
        synchronized (this) {
            if (!force && now - lastDraw < REDRAW_NANOS) return;
            lastDraw = now;
            out.print("\r" + line(name, done.get(), total, done.get() - startDone, now - startNanos) + "\u001b[K");
            out.flush();
        }
    }

    /** The text of one bar: name, percent, bar, bytes, speed, ETA. */
    static String line(String name, long done, long total, long sessionBytes, long elapsedNanos) {
        StringBuilder sb = new StringBuilder(shorten(name, 40)).append("  ");
        if (total > 0) {
            double frac = Math.min(1.0, (double) done / total);
            sb.append(String.format(Locale.ROOT, "%3d%% [", (int) (frac * 100)));
            int filled = (int) (frac * BAR_WIDTH);
            for (int i = 0; i < BAR_WIDTH; i++) sb.append(i < filled ? '=' : (i == filled ? '>' : ' '));
            sb.append("] ").append(bytes(done)).append(" / ").append(bytes(total));
        } else {
            sb.append(bytes(done));
        }
        double secs = elapsedNanos / 1e9;
        if (secs > 0.2 && sessionBytes > 0) {
            double speed = sessionBytes / secs;
            sb.append("  ").append(bytes((long) speed)).append("/s");
            if (total > 0 && done < total) sb.append("  ETA ").append(duration((long) ((total - done) / speed)));
        }
        return sb.toString();
    }

    /** 1536 -> "1.50 KB" (decimal units, like the Hub's web pages). */
    public static String bytes(long n) {
        if (n < 1000) return n + " B";
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    static String duration(long seconds) {
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return (seconds / 60) + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        return (seconds / 3600) + "h" + String.format(Locale.ROOT, "%02d", (seconds % 3600) / 60) + "m";
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max + 3);
    }
}
