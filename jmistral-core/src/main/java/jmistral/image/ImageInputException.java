package jmistral.image;

/**
 * An image or PDF given by a user that cannot be used: not an image, truncated, zero-sized, too large
 * (a decompression bomb), encrypted. The message says what was wrong and with which input, so the
 * caller can show it as is.
 */
public class ImageInputException extends RuntimeException {
    public ImageInputException(String message) {
        super(message);
    }

    public ImageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
