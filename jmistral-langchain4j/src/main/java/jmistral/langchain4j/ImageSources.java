package jmistral.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import jmistral.chat.ContentPart;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageInputException;
import jmistral.image.PageRange;
import jmistral.image.PdfPages;
import jmistral.image.RgbImage;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The pixels of a user message's images and PDF pages (LangChain4j gives base64 data or a URL): decoded
 * here with the image package, so the engine gets {@link ContentPart.Image}s it can run the vision tower
 * on. Base64 data, data: URLs and file: URIs (or plain paths) are read; remote URLs are refused, since an
 * in-process model should not fetch from the network behind the application's back. Each PDF page is one
 * image, rendered so its longer side is the vision encoder's budget.
 */
final class ImageSources {
    private ImageSources() {}

    static ContentPart.Image image(String base64, URI url, String part) {
        ImageDecoder decoder = new ImageDecoder();
        try {
            Path file = file(base64, url, part);
            RgbImage pixels = file != null ? decoder.decode(file) : decoder.decode(bytes(base64, url, part), part);
            return ContentPart.Image.of(part, pixels);
        } catch (ImageInputException e) {
            throw new InvalidRequestException("the image at " + part + " cannot be decoded: " + e.getMessage(), e);
        }
    }

    static List<ContentPart.Image> pdfPages(String base64, URI url, String part) {
        Path file = file(base64, url, part);
        try (PdfPages pdf = file != null ? PdfPages.open(file) : PdfPages.open(bytes(base64, url, part), part)) {
            List<RgbImage> pages = pdf.render(PageRange.all());
            List<ContentPart.Image> images = new ArrayList<>(pages.size());
            for (int i = 0; i < pages.size(); i++) images.add(ContentPart.Image.of(part + ".page[" + (i + 1) + "]", pages.get(i)));
            return images;
        } catch (ImageInputException e) {
            throw new InvalidRequestException("the PDF at " + part + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The local file the content names, or null when it carries its bytes (base64 or a data: URL). */
    private static Path file(String base64, URI url, String part) {
        if (base64 != null) return null;
        if (url == null) throw new InvalidRequestException(part + " has neither base64 data nor a URL");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "data" -> null;
            case "file" -> Path.of(url);
            case "" -> Path.of(url.getPath());
            default -> throw new UnsupportedFeatureException(part + " is at " + url + ": jmistral runs in-process and does not "
                    + "fetch " + scheme + " URLs; give the bytes as base64 or a file: URI");
        };
    }

    private static byte[] bytes(String base64, URI url, String part) {
        String data = base64;
        if (data == null) {
            String s = url.toString();
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw new InvalidRequestException(part + " is a data: URL without ';base64,' data");
            }
            data = s.substring(comma + 1);
        }
        try {
            return Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(part + " is not valid base64: " + e.getMessage(), e);
        }
    }
}
