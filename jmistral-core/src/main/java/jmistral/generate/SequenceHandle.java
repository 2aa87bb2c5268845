package jmistral.generate;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The caller's side of a submitted sequence: its events (read from any thread, e.g. the virtual thread
 * of an HTTP request), the whole result when done, and {@link #cancel()}. When the sequence was
 * submitted with a listener, events go to the listener instead and take/poll/events() see none.
 */
public final class SequenceHandle {

    private final long id;
    private final Runnable wakeScheduler;
    private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private final java.util.function.Consumer<GenerationEvent> listener;   // null: events go to the queue
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private volatile boolean cancelRequested;
    private boolean finishedTaken;   // the consumer has taken the Finished event

    SequenceHandle(long id, Runnable wakeScheduler, java.util.function.Consumer<GenerationEvent> listener) {
        this.id = id;
        this.wakeScheduler = wakeScheduler;
        this.listener = listener;
    }

    /** A number unique within the scheduler. */
    public long id() { return id; }

    /**
     * Stops the sequence at the next step boundary: it ends with CANCELLED and its KV blocks are freed.
     * Harmless when already finished.
     */
    public void cancel() {
        cancelRequested = true;
        wakeScheduler.run();
    }

    boolean cancelRequested() { return cancelRequested; }

    /** True once the Finished event was emitted. */
    public boolean isDone() { return result.isDone(); }

    /** The next event, waiting for it; after the Finished event, returns null. */
    public synchronized GenerationEvent take() throws InterruptedException {
        if (finishedTaken || listener != null) return null;
        GenerationEvent e = events.take();
        if (e instanceof GenerationEvent.Finished) finishedTaken = true;
        return e;
    }

    /** The next event, or null if none came within the timeout (or after the Finished event). */
    public synchronized GenerationEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (finishedTaken || listener != null) return null;
        GenerationEvent e = events.poll(timeout, unit);
        if (e instanceof GenerationEvent.Finished) finishedTaken = true;
        return e;
    }

    /** The events as a blocking stream that ends after the Finished event. */
    public Stream<GenerationEvent> events() {
        Iterator<GenerationEvent> it = new Iterator<>() {
            GenerationEvent next;

            @Override public boolean hasNext() {
                if (next == null) {
                    try {
                        next = take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel();
                        return false;
                    }
                }
                return next != null;
            }

            @Override public GenerationEvent next() {
                if (!hasNext()) throw new NoSuchElementException();
                GenerationEvent e = next;
                next = null;
                return e;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
    }

    /** Completes with the whole result when the sequence ends (independent of reading events). */
    public CompletableFuture<GenerationResult> result() { return result; }

    /** Waits for the end and returns the whole result. */
    public GenerationResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    // --- scheduler side -------------------------------------------------------------------------

    void emit(GenerationEvent e) {
        if (listener == null) {
            events.add(e);
            return;
        }
        try {
            listener.accept(e);
        } catch (RuntimeException ex) {
            cancel();                     // a failing consumer (e.g. a closed connection) ends the sequence
        }
    }

    void complete(GenerationResult r) { result.complete(r); }
}
