package jmistral.server.connection;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The read timeout of every open connection: a connection that has waited longer than the timeout for the next
 * bytes from its client (request line, headers, body, or the next request of a keep-alive connection) is
 * closed. The clock runs only while the server waits in a read, so a long generation or a slow stream to the
 * client is never cut.
 * <p>
 * Why not Helidon's own settings: in Helidon 4.5 {@code connectionOptions.readTimeout} is never applied to
 * server sockets (no SO_TIMEOUT), and the idle-connection sweep interrupts a connection only while it waits
 * for a request line, so a client that stops after half the headers or declares a body it never sends was
 * held forever. One sweeper thread checks every connection a few times per timeout.
 */
final class ReadDeadlines implements AutoCloseable {
    private final long timeoutNanos;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper;

    ReadDeadlines(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        // a quarter of the timeout between sweeps (10 ms .. 1 s): a connection is closed at most 25% late
        long period = Math.clamp(timeout.toMillis() / 4, 10, 1000);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("jmistral-read-deadlines").unstarted(r));
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** Starts watching one connection; {@code expire} closes it when a read outlasts the timeout. */
    Watch watch(Runnable expire) {
        Watch w = new Watch(expire);
        watches.add(w);
        return w;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Watch w : watches) {
            if (w.reading && now - w.deadline > 0 && watches.remove(w)) {
                w.expired = true;
                try {
                    w.expire.run();
                } catch (RuntimeException e) {
                    // closing a socket that is already gone: nothing left to do
                }
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    /** One connection's read clock. */
    final class Watch {
        private final Runnable expire;
        private volatile long deadline;
        private volatile boolean reading;
        private volatile boolean expired;

        private Watch(Runnable expire) {
            this.expire = expire;
        }

        void readStarts() {
            readStarts(timeoutNanos);
        }

        /** A read with its own limit (the short wait of a lingering close). */
        void readStarts(long limitNanos) {
            deadline = System.nanoTime() + limitNanos;
            reading = true;
        }

        void readEnds() {
            reading = false;
        }

        /** Whether the sweeper closed this connection for waiting too long. */
        boolean expired() {
            return expired;
        }

        void forget() {
            watches.remove(this);
        }
    }
}
