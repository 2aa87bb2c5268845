package jmistral.model;

/** A sequence needs more KV blocks than the pool has free (context overflow of the cache). */
public class KvCacheFullException extends RuntimeException {
    public KvCacheFullException(String message) {
        super(message);
    }
}
