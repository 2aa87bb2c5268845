package jmistral.image;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many images may be decoded at once. Decoding is CPU- and memory-heavy (a 50-megapixel PNG inflates
 * hundreds of megabytes), so a burst of image requests must queue for a permit instead of all decoding
 * together and running the heap out; a decode that waits longer than {@link #maxWait()} is refused with an
 * {@link ImageDecodeBusyException} (the server answers it as "busy, retry later", not as bad input).
 *
 * <p>{@link #shared()} is the process-wide pool every {@link ImageDecoder} uses unless given another:
 * one permit per core ({@code availableProcessors}, or the system property {@code jmistral.imageDecoders}),
 * waiting at most {@link #DEFAULT_MAX_WAIT}. Thread-safe.
 */
public final class ImageDecodePermits {
    /** How long a decode waits for a permit by default before it is refused. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

    private final Semaphore permits;
    private final int size;
    private final Duration maxWait;

    /**
     * @param size    images decoded at once at most (>= 1)
     * @param maxWait how long a decode waits for a permit before it is refused
     */
    public ImageDecodePermits(int size, Duration maxWait) {
        if (size < 1) throw new IllegalArgumentException("image decode permits must be >= 1, got " + size);
        if (maxWait == null || maxWait.isNegative()) throw new IllegalArgumentException("maxWait must be >= 0: " + maxWait);
        this.permits = new Semaphore(size, true);   // fair: the longest waiter is served first
        this.size = size;
        this.maxWait = maxWait;
    }

    /** The process-wide pool (created on first use, then fixed). */
    public static ImageDecodePermits shared() {
        return Shared.POOL;
    }

    private static final class Shared {   // holder idiom: sized once, when first asked for
        static final ImageDecodePermits POOL = new ImageDecodePermits(
                Math.max(1, Integer.getInteger("jmistral.imageDecoders", Runtime.getRuntime().availableProcessors())),
                DEFAULT_MAX_WAIT);
    }

    public int size() { return size; }

    public Duration maxWait() { return maxWait; }

    /** Permits free now. */
    public int available() { return permits.availablePermits(); }

    /** A held permit; closing it gives it back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits up to {@link #maxWait()} for a permit.
     *
     * @param source names the image in the error
     * @throws ImageDecodeBusyException when none frees up in time (or the thread is interrupted while waiting)
     */
    public Permit acquire(String source) {
        try {
            if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ImageDecodeBusyException(source + ": " + size + " images are being decoded already and none finished within "
                        + maxWait.toSeconds() + " s; retry shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageDecodeBusyException(source + ": interrupted while waiting to decode the image");
        }
        return permits::release;
    }
}
