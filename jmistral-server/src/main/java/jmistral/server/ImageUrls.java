package jmistral.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import jmistral.image.ImageDecodeBusyException;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageInputException;
import jmistral.image.RgbImage;

/**
 * The pixels of an {@code image_url}: a data URL or bare base64, or an http(s) URL when the server allows
 * fetching them. Each problem is a 400 naming the content part; without vision weights images are a 400 too.
 */
final class ImageUrls {
    private static final long MAX_REMOTE_IMAGE_BYTES = 32L << 20;
    private static final int BUSY_RETRY_AFTER_SECONDS = 5;

    private final boolean allowRemoteImages;
    private final boolean visionAvailable;
    private final ImageDecoder images = new ImageDecoder();

    ImageUrls(boolean allowRemoteImages, boolean visionAvailable) {
        this.allowRemoteImages = allowRemoteImages;
        this.visionAvailable = visionAvailable;
    }

    /** The pixels of an image part; a 400 naming the part when they cannot be had. */
    RgbImage decode(String url, String path) {
        if (!visionAvailable) {
            throw ApiError.invalidRequest(path, "This server has no vision projector, so it cannot read images (" + path
                    + "): start it with --mmproj FILE (the model's mmproj GGUF), or send text only.");
        }
        byte[] data;
        if (url.startsWith("http://") || url.startsWith("https://")) {
            if (!allowRemoteImages) {
                throw ApiError.invalidRequest(path, "Image URLs are not fetched by this server (" + path
                        + "): send the image as a data URL (data:image/png;base64,...), or start the server with --allow-remote-images.");
            }
            data = fetch(url, path);
        } else {
            data = base64(url, path);
        }
        try {
            return images.decode(data, path);
        } catch (ImageInputException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " cannot be decoded: " + e.getMessage());
        } catch (ImageDecodeBusyException e) {   // every decode permit held for longer than the wait: busy, not bad input
            throw ApiError.overloaded(BUSY_RETRY_AFTER_SECONDS);
        }
    }

    private static byte[] fetch(String url, String path) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
                byte[] data = in.readNBytes((int) MAX_REMOTE_IMAGE_BYTES + 1);
                if (data.length > MAX_REMOTE_IMAGE_BYTES) throw new IOException("larger than " + MAX_REMOTE_IMAGE_BYTES + " bytes");
                return data;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " could not be fetched from " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.invalidRequest(path, "Interrupted while fetching the image at " + path);
        }
    }

    private static byte[] base64(String url, String path) {
        String b64 = url;
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                throw ApiError.invalidRequest(path, "The image at " + path + " is a data URL without ';base64,' data.");
            }
            b64 = url.substring(comma + 1);
        }
        try {
            return Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest(path, "The image at " + path + " is neither an http(s) URL nor valid base64: " + e.getMessage());
        }
    }
}
