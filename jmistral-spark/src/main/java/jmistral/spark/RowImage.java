package jmistral.spark;

import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ContentPart;
import jmistral.image.RgbImage;

/**
 * Puts a row's image into its chat: first in the last user message, before its text, as mistral-common
 * orders an image with a question. The part carries only the size (which fixes the [IMG] layout); the
 * pixels go to the image pipeline separately.
 */
final class RowImage {
    private RowImage() {}

    static List<ChatMessage> attach(List<ChatMessage> messages, RgbImage image) {
        List<ChatMessage> out = new ArrayList<>(messages);
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i) instanceof ChatMessage.User u) {
                List<ContentPart> parts = new ArrayList<>();
                parts.add(new ContentPart.Image("row image", image.width(), image.height()));
                parts.addAll(u.content());
                out.set(i, new ChatMessage.User(parts));
                return out;
            }
        }
        throw new IllegalArgumentException("the row has an image but no user message to put it in");
    }
}
