package jmistral.server.connection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * Keeps the listener accepting. Every period it connects to the server's own port; when that is refused the
 * listener is gone and {@code restart} opens it again on the same port (retried every period until it
 * succeeds, e.g. once file descriptors are free again). {@link #problem()} says why new connections cannot be
 * accepted now (listener down, descriptors exhausted), for {@code /health}.
 * <p>
 * Why: Helidon 4.5's accept loop treats any accept failure as fatal: at EMFILE ("Too many open files") it logs
 * "this server socket is terminating now", closes the listening socket and every connection, and never accepts
 * again, while the process lives on. Its accept loop has no hook to retry, so the listener is replaced instead.
 */
public final class ListenerWatchdog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ListenerWatchdog.class.getName());

    private final String probeHost;
    private final IntSupplier port;
    private final Restart restart;
    private final ScheduledExecutorService ticker;
    private volatile boolean listenerDown;

    /** Opens the listener again on the given port; throws when it cannot (yet). */
    @FunctionalInterface
    public interface Restart {
        void on(int port) throws Exception;
    }

    public ListenerWatchdog(String host, IntSupplier port, Duration period, Restart restart) {
        this.probeHost = switch (host) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> host;
        };
        this.port = port;
        this.restart = restart;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("jmistral-listener-watchdog").unstarted(r));
        ticker.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why new connections cannot be accepted now, or null when they can. */
    public String problem() {
        if (listenerDown) return "the HTTP listener stopped accepting; reopening it";
        return Descriptors.exhaustion();
    }

    private void check() {
        int p = port.getAsInt();
        if (!listenerDown && accepts(p)) return;
        if (!listenerDown) {
            listenerDown = true;
            LOG.warning("the HTTP listener on port " + p + " stopped accepting (" + (Descriptors.exhaustion() == null
                    ? "its socket is closed" : Descriptors.exhaustion()) + "); reopening it");
        }
        try {
            restart.on(p);
            listenerDown = false;
            LOG.warning("the HTTP listener on port " + p + " accepts again");
        } catch (Exception e) {
            LOG.fine(() -> "reopening the listener failed, retrying: " + e);
        }
    }

    /** Whether a connection to the port is taken (refused: nothing listens). Out of descriptors counts as yes. */
    private boolean accepts(int p) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(probeHost, p), 2000);
            return true;
        } catch (java.net.ConnectException refused) {
            return false;
        } catch (IOException e) {
            return true; // no descriptor for the probe itself, or a slow connect: not proof the listener is gone
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
