package jmistral.server;

import jmistral.engine.ChatEvent;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request's chat events on their way from the engine to the handler: the engine's thread puts them in
 * ({@link #accept}, never blocks), the request's thread takes them ({@link #next}) and, while it waits (for
 * a batch place, for the prompt to be computed, for the next token, for a whole blocking answer), checks
 * every {@link #CHECK_INTERVAL_MILLIS} ms that the client is still connected. A client that left ends the
 * wait with {@link ClientGone}, and the handler cancels the request, which frees its batch place and KV
 * blocks at the scheduler's next step.
 */
final class RequestEvents implements Consumer<ChatEvent> {
    /** How often the connection is checked: a tenth of a second, well under one step of a large model. */
    static final long CHECK_INTERVAL_MILLIS = 100;
    private static final long CHECK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(CHECK_INTERVAL_MILLIS);

    /** The client closed or reset its connection before the answer was complete. */
    static final class ClientGone extends RuntimeException {
        ClientGone() {
            super("the client closed the connection", null, false, false);
        }
    }

    private final BlockingQueue<ChatEvent> queue = new LinkedBlockingQueue<>();
    private final ClientConnection client;
    private long lastCheck = System.nanoTime();     // request thread

    RequestEvents(ClientConnection client) {
        this.client = client;
    }

    /** The engine's side: one more event (engine thread). */
    @Override
    public void accept(ChatEvent e) {
        queue.add(e);
    }

    /**
     * The next event, waiting for it; {@link ClientGone} when the client left first (also checked while
     * events flow, so a stream whose writes still succeed is not relied on to notice).
     */
    ChatEvent next() throws InterruptedException {
        while (true) {
            long sinceCheck = System.nanoTime() - lastCheck;
            if (sinceCheck >= CHECK_INTERVAL_NANOS) {
                if (client.isGone()) throw new ClientGone();
                lastCheck = System.nanoTime();
                sinceCheck = 0;
            }
            ChatEvent e = queue.poll(CHECK_INTERVAL_NANOS - sinceCheck, TimeUnit.NANOSECONDS);
            if (e != null) return e;
        }
    }
}
