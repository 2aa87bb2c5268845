package jmistral.engine;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of one chat request, read by the caller as they come ({@link #next()}, a blocking
 * {@link #iterator()} or {@link #stream()}), or all at once ({@link #response()}). The engine's thread
 * puts events in; any one thread reads them. Closing a stream that has not ended cancels the request.
 * <pre>
 * try (ChatStream s = engine.chat(request)) {
 *     for (ChatEvent e : s) if (e instanceof ChatEvent.TextDelta d) System.out.print(d.text());
 * }
 * </pre>
 */
public final class ChatStream implements ChatHandle, Iterable<ChatEvent>, AutoCloseable {
    /** Put in the queue by {@link #cancel()} so a blocked reader wakes up; never handed out. */
    private static final ChatEvent CANCELLED = new ChatEvent.Failed("cancelled");

    private final BlockingQueue<ChatEvent> events = new LinkedBlockingQueue<>();
    private volatile ChatHandle run;
    private volatile boolean cancelled;
    private boolean ended;            // the reader has seen the last event (reader thread)

    ChatStream() {}

    /** The engine's side: one more event (engine thread). */
    void put(ChatEvent e) {
        if (!cancelled) events.add(e);
    }

    void started(ChatHandle run) {
        this.run = run;
        if (cancelled) run.cancel();
    }

    /** The next event, waiting for it; null after the last one (Completed or Failed) or after cancel. */
    public ChatEvent next() throws InterruptedException {
        if (ended) return null;
        return handOut(events.take());
    }

    /** The next event, or null if none came within the timeout, after the last one, or after cancel. */
    public ChatEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (ended) return null;
        ChatEvent e = events.poll(timeout, unit);
        return e == null ? null : handOut(e);
    }

    private ChatEvent handOut(ChatEvent e) {
        // after cancel, nothing more: not even events the engine queued before it saw the cancel
        if (e == CANCELLED || cancelled) {
            ended = true;
            events.clear();
            return null;
        }
        if (e instanceof ChatEvent.Completed || e instanceof ChatEvent.Failed) ended = true;
        return e;
    }

    /** Whether the last event was read. */
    public boolean isDone() { return ended; }

    /**
     * Waits for the end and returns the whole answer; a failure after the start is an
     * {@link IllegalStateException} with the engine's message. An interrupt cancels the request.
     */
    public ChatResponse response() {
        ChatResponse.Collector collector = new ChatResponse.Collector();
        try {
            for (ChatEvent e; (e = next()) != null; ) collector.accept(e);
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the answer", e);
        }
        ChatResponse r = collector.response();
        if (cancelled && !ended) throw new IllegalStateException("the request was cancelled");
        if (r.error() != null) throw new IllegalStateException(r.error());
        return r;
    }

    @Override
    public void cancel() {
        cancelled = true;
        events.add(CANCELLED);
        ChatHandle r = run;
        if (r != null) r.cancel();
    }

    /** Cancels the request unless its last event was read. */
    @Override
    public void close() {
        if (!ended) cancel();
    }

    /** The events as a blocking iterator; an interrupt while waiting cancels the request and ends the iteration. */
    @Override
    public Iterator<ChatEvent> iterator() {
        return new Iterator<>() {
            ChatEvent next;

            @Override public boolean hasNext() {
                if (next == null) {
                    try {
                        next = ChatStream.this.next();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel();
                        return false;
                    }
                }
                return next != null;
            }

            @Override public ChatEvent next() {
                if (!hasNext()) throw new NoSuchElementException();
                ChatEvent e = next;
                next = null;
                return e;
            }
        };
    }

    /** The events as a sequential blocking stream. */
    public Stream<ChatEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false);
    }
}
