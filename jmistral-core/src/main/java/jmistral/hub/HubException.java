package jmistral.hub;

/**
 * A model could not be fetched from the Hub or found in the cache. The message says what happened and
 * what the user can do about it (accept a licence, set HF_TOKEN, go online, free disk space...).
 */
public class HubException extends RuntimeException {

    /** What went wrong, so callers (and tests) can react without parsing messages. */
    public enum Kind {
        /** The repository, revision or file does not exist (HTTP 404, or 401 for an unknown repo). */
        NOT_FOUND,
        /** Gated or private: needs a token, or the terms accepted on the model page (HTTP 401/403). */
        ACCESS_DENIED,
        /** Offline mode (or no network) and the cache lacks what was asked. */
        OFFLINE_NOT_CACHED,
        /** The server or the network failed (5xx, 429, resets, timeouts): worth retrying. */
        NETWORK,
        /** The Hub refused the request for another reason (other 4xx): retrying will not help. */
        HTTP_ERROR,
        /** The downloaded bytes do not match the hash the Hub announced. */
        CORRUPT,
        /** Not enough free disk space for the download. */
        DISK_SPACE,
        /** The repository has no file matching the request (quant, format). */
        NO_MATCHING_FILE,
        /** The local cache could not be read or written. */
        CACHE_IO
    }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
