package jmistral.image;

/**
 * An image could not be decoded now because too many are being decoded at once ({@link ImageDecodePermits}):
 * nothing is wrong with the image, so a server answers "busy, retry later" rather than "bad request".
 */
public final class ImageDecodeBusyException extends RuntimeException {
    public ImageDecodeBusyException(String message) {
        super(message);
    }
}
