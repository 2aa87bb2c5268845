package jmistral.chat;

/** A part of a user message. */
public sealed interface ContentPart {

    record Text(String text) implements ContentPart {}

    /**
     * An image: where it comes from ({@code url}: data: URI, file path or URL; the vision module loads the
     * pixels) and its original pixel size, which alone fixes the token layout.
     */
    record Image(String url, int width, int height) implements ContentPart {
        public Image {
            if (width <= 0 || height <= 0)
                throw new ChatValidationException("image", "image size must be positive, got " + width + "x" + height);
        }
    }
}
