package jmistral.engine;

/** Too many requests are waiting for a place in the batch: try again shortly. */
public final class EngineBusyException extends RuntimeException {
    public EngineBusyException(String message) {
        super(message);
    }
}
