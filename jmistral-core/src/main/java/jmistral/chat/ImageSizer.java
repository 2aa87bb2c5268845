package jmistral.chat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;

/**
 * Finds the pixel size of an image reference (only the size is needed for the token layout).
 * {@link #headers()} reads just the image header of data: URIs and local files with javax.imageio.
 */
@FunctionalInterface
public interface ImageSizer {

    /** {width, height} of the image at {@code url}. */
    int[] size(String url) throws IOException;

    static ImageSizer headers() {
        return url -> {
            try (InputStream in = open(url); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
                Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
                if (!readers.hasNext()) throw new IOException("unsupported image format");
                ImageReader r = readers.next();
                try {
                    r.setInput(iis);
                    return new int[] {r.getWidth(0), r.getHeight(0)};
                } finally {
                    r.dispose();
                }
            }
        };
    }

    private static InputStream open(String url) throws IOException {
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) throw new IOException("data URI must be base64");
            return new ByteArrayInputStream(Base64.getMimeDecoder().decode(url.substring(comma + 1)));
        }
        if (url.startsWith("file:")) return Files.newInputStream(Path.of(java.net.URI.create(url)));
        if (url.contains("://")) throw new IOException("remote images are not fetched here: " + url);
        return Files.newInputStream(Path.of(url));
    }
}
