package jmistral.generate;

/** The scheduler's waiting queue is full; retry later (the server answers 429 / 503 with Retry-After). */
public final class QueueFullException extends RuntimeException {

    private final int limit;

    public QueueFullException(int limit) {
        super("server busy: " + limit + " requests are already waiting; retry later");
        this.limit = limit;
    }

    public int limit() { return limit; }
}
