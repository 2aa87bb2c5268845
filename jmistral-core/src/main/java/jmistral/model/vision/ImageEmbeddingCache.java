package jmistral.model.vision;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import jmistral.image.RgbImage;

/**
 * Recently computed image embeddings, looked up by pixel content, so an image that comes again is
 * not encoded again: a chat turn resends every earlier image (the OpenAI API is stateless, and the
 * CLI's chat keeps the history), and encoding one 1024x768 image takes about a minute on 2 cores.
 *
 * <p>The key is the image size and the SHA-256 of its RGB bytes (a few ms for the largest image, a
 * collision is not a practical concern); least recently used entries go first once the cached
 * embeddings pass {@code maxBytes}. Cached arrays are shared: callers copy rows out, never write.
 * Thread-safe (the server encodes images on request threads).
 */
public final class ImageEmbeddingCache {
    /** Default budget: {@code -Djmistral.imageCacheMb} (256 MB, four of the largest images of Mistral Small 3.2). */
    public static final long DEFAULT_MAX_BYTES = Long.getLong("jmistral.imageCacheMb", 256) << 20;

    private record Key(int width, int height, String sha256) {}

    private final long maxBytes;
    private final Map<Key, float[]> entries = new LinkedHashMap<>(16, 0.75f, true); // access order: eldest = least recent
    private long bytes;
    private long hits;
    private long misses;

    /** @param maxBytes budget for the cached embeddings (0 disables the cache) */
    public ImageEmbeddingCache(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("cache budget must be >= 0, got " + maxBytes);
        this.maxBytes = maxBytes;
    }

    /** The embeddings of image: from the cache, or computed by {@code encode} and kept. */
    public float[] get(RgbImage image, java.util.function.Function<RgbImage, float[]> encode) {
        if (maxBytes == 0) return encode.apply(image);
        Key key = keyOf(image);
        synchronized (this) {
            float[] cached = entries.get(key);
            if (cached != null) {
                hits++;
                return cached;
            }
            misses++;
        }
        float[] computed = encode.apply(image); // outside the lock: a minute of work must not block other lookups
        put(key, computed);
        return computed;
    }

    private synchronized void put(Key key, float[] value) {
        long size = 4L * value.length;
        if (size > maxBytes) return;
        float[] old = entries.put(key, value);
        if (old != null) bytes -= 4L * old.length;
        bytes += size;
        for (Iterator<float[]> it = entries.values().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= 4L * it.next().length;
            it.remove();
        }
    }

    public synchronized long hits() { return hits; }

    public synchronized long misses() { return misses; }

    public synchronized int size() { return entries.size(); }

    /** Bytes of embeddings held now. */
    public synchronized long bytes() { return bytes; }

    private static Key keyOf(RgbImage image) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(image.rgb());
            return new Key(image.width(), image.height(), java.util.HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
