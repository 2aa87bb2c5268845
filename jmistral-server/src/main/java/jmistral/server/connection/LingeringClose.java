package jmistral.server.connection;

import io.helidon.common.socket.HelidonSocket;

import java.time.Duration;

/**
 * Reads and drops what a client still sends after the server answered and decided to close (a malformed
 * request, a refused connection), until the client closes, {@link #MAX_BYTES} arrive or {@link #WAIT} passes.
 * Closing a socket with unread bytes makes the kernel send a reset, which can reach the client before it has
 * read the answer: the client would see "connection reset" instead of the 400 or 503.
 */
final class LingeringClose {
    /** Bytes already in flight arrive within a round trip; a client that read a Connection: close answer closes. */
    static final Duration WAIT = Duration.ofSeconds(1);
    static final int MAX_BYTES = 1 << 16;

    private LingeringClose() {}

    static void drain(HelidonSocket socket, ReadDeadlines.Watch watch) {
        int dropped = 0;
        try {
            long end = System.nanoTime() + WAIT.toNanos();
            while (dropped < MAX_BYTES) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                watch.readStarts(left);
                byte[] got = socket.get();
                watch.readEnds();
                if (got == null) break; // the client closed
                dropped += got.length;
            }
        } catch (RuntimeException e) {
            // reset by the client, or cut by the deadline: either way done
        } finally {
            watch.readEnds();
        }
    }
}
