package jmistral.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageGrid;
import jmistral.image.ImageInputException;
import jmistral.image.PageRange;
import jmistral.image.PdfPages;
import jmistral.image.RgbImage;

/**
 * A user turn built from images, PDF pages and text (what {@code jmistral run --image/--file} and
 * {@code /image} in chat need): decodes and renders up front so bad input fails before any model work,
 * and keeps the pixels in the message's image parts (what the engine's vision tower reads).
 * Images come first, then the text, as mistral-common orders an image with a question.
 */
public final class MultimodalPrompt {
    private final ImageDecoder decoder = new ImageDecoder();
    private final Map<ContentPart.Image, RgbImage> pixels = new LinkedHashMap<>();
    private final List<ContentPart> parts = new ArrayList<>();
    private int imageTokens;

    /** Adds an image file (PNG, JPEG, WebP, GIF, BMP). */
    public MultimodalPrompt addImage(Path file) {
        return add(file.toString(), decoder.decode(file));
    }

    /** Adds an already decoded image; {@code name} identifies it in messages. */
    public MultimodalPrompt add(String name, RgbImage image) {
        ContentPart.Image part = ContentPart.Image.of(name + "#" + parts.size(), image);
        pixels.put(part, image);
        parts.add(part);
        imageTokens += ImageGrid.forImage(image.width(), image.height()).promptTokenCount();
        return this;
    }

    /**
     * Adds PDF pages, one image per page rendered at the 1540-pixel budget.
     *
     * @param tokenBudget prompt tokens the pages may use (context left for them); more is a clear error
     *                    saying how many of the pages fit
     */
    public MultimodalPrompt addPdf(Path pdf, PageRange range, int tokenBudget) {
        try (PdfPages doc = PdfPages.open(pdf)) {
            int[] pages = doc.pages(range);
            int fit = doc.pagesThatFit(pages, tokenBudget - imageTokens);
            if (fit < pages.length) {
                int need = 0;
                for (int p : pages) need += doc.promptTokensForPage(p);
                throw new ImageInputException(pdf + ": pages " + range + " (" + pages.length + " pages) need " + need
                        + " image tokens but only " + (tokenBudget - imageTokens) + " are left in the context; "
                        + fit + " page(s) fit: choose fewer pages (--pages) or a larger context");
            }
            for (int p : pages) add(pdf.getFileName() + " page " + (p + 1), doc.render(p));
        }
        return this;
    }

    public MultimodalPrompt addText(String text) {
        parts.add(new ContentPart.Text(text));
        return this;
    }

    /** Prompt tokens the images so far take ([IMG], [IMG_BREAK], [IMG_END]). */
    public int imageTokens() { return imageTokens; }

    /** Whether any image was added (else the prompt needs no vision tower). */
    public boolean hasImages() { return !pixels.isEmpty(); }

    /** The user message: images (in the order added), then texts. */
    public ChatMessage.User userMessage() {
        List<ContentPart> ordered = new ArrayList<>(pixels.keySet());
        for (ContentPart p : parts) if (p instanceof ContentPart.Text) ordered.add(p);
        return new ChatMessage.User(ordered);
    }

    /** Pixels of an image part of {@link #userMessage()}, or null. */
    public RgbImage pixels(ContentPart.Image image) {
        return pixels.get(image);
    }
}
