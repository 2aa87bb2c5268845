package jmistral.chat;

import java.util.List;

/**
 * A prompt ready for the model: token ids starting with BOS, and one slot per image telling where its
 * [IMG] tokens start and how they are laid out (the vision encoder's output replaces the [IMG] tokens,
 * row by row, [IMG_BREAK]/[IMG_END] stay text tokens).
 */
public record EncodedPrompt(int[] tokens, List<ImageSlot> images) {

    /** An image in the prompt: its first token index in {@link #tokens()} and its grid. */
    public record ImageSlot(ContentPart.Image image, int tokenOffset, ImageTokenLayout layout) {}
}
