package jmistral.chat;

import java.nio.file.Path;
import jmistral.image.ImageDecoder;
import jmistral.image.RgbImage;

/** A part of a user message. */
public sealed interface ContentPart {

    record Text(String text) implements ContentPart {}

    /**
     * An image: where it comes from ({@code url}: data: URI, file path or URL, or just a name), its
     * original pixel size, which alone fixes the token layout, and its decoded pixels when the caller has
     * them (the engine needs them to run the vision tower; the prompt encoder needs only the size).
     */
    record Image(String url, int width, int height, RgbImage pixels) implements ContentPart {
        public Image {
            if (width <= 0 || height <= 0)
                throw new ChatValidationException("image", "image size must be positive, got " + width + "x" + height);
            if (pixels != null && (pixels.width() != width || pixels.height() != height))
                throw new ChatValidationException("image", "the pixels are " + pixels.width() + "x" + pixels.height()
                        + " but the image says " + width + "x" + height);
        }

        /** An image known by its size only (enough to encode the prompt, not to run the vision tower). */
        public Image(String url, int width, int height) {
            this(url, width, height, null);
        }

        /** Decoded pixels, named {@code name} in messages. */
        public static Image of(String name, RgbImage pixels) {
            return new Image(name, pixels.width(), pixels.height(), pixels);
        }

        /** An image file (PNG, JPEG, WebP, GIF, BMP), decoded now; a bad file is an ImageInputException naming it. */
        public static Image read(Path file) {
            return of(file.toString(), new ImageDecoder().decode(file));
        }
    }

    /** A text part. */
    static ContentPart text(String text) { return new Text(text); }
}
