package jmistral.spark;

import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ContentPart;
import jmistral.image.RgbImage;

/**
 * Puts a row's image into its chat: first in the last user message, before its text, as mistral-common
 * orders an image with a question. The part carries the pixels (the engine's vision tower reads them).
 */
final class RowImage {
    private RowImage() {}

    static List<ChatMessage> attach(List<ChatMessage> messages, RgbImage image) {
        List<ChatMessage> out = new ArrayList<>(messages);
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i) instanceof ChatMessage.User u) {
                List<ContentPart> parts = new ArrayList<>();
                parts.add(ContentPart.Image.of("row image", image));
                parts.addAll(u.content());
                out.set(i, new ChatMessage.User(parts));
                return out;
            }
        }
        throw new IllegalArgumentException("the row has an image but no user message to put it in");
    }
}
