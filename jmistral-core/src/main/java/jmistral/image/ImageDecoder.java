package jmistral.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG, WebP (TwelveMonkeys plugin), GIF (first frame) and BMP bytes into an
 * {@link RgbImage}, Pillow-style ({@link RgbConversion}), with EXIF orientation applied to JPEGs.
 *
 * <p>Hostile input is refused before any pixel memory is allocated: the size is read from the header
 * first and anything above {@link #maxPixels()} (default 50 megapixels) is an
 * {@link ImageInputException}, as are empty, zero-sized, undecodable and truncated data.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageDecoder {
    /** Default pixel limit: 50 megapixels (a 8660x5773 photo still fits). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    private final long maxPixels;
    private final boolean exifOrientation;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS, true);
    }

    private ImageDecoder(long maxPixels, boolean exifOrientation) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        this.maxPixels = maxPixels;
        this.exifOrientation = exifOrientation;
    }

    /** A decoder that refuses images with more than {@code maxPixels} pixels. */
    public ImageDecoder withMaxPixels(long maxPixels) {
        return new ImageDecoder(maxPixels, exifOrientation);
    }

    /** A decoder that does (true, default) or does not apply JPEG EXIF orientation. */
    public ImageDecoder withExifOrientation(boolean apply) {
        return new ImageDecoder(maxPixels, apply);
    }

    public long maxPixels() { return maxPixels; }

    /** Largest encoded file accepted (1 GiB): far above any real photo or scan. */
    private static final long MAX_FILE_BYTES = 1L << 30;

    /** Decodes an image file (size-checked before it is read). */
    public RgbImage decode(Path file) {
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ImageInputException(file + ": image file is " + size + " bytes, more than the limit of "
                        + MAX_FILE_BYTES);
            }
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageInputException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
        return decode(data, file.toString());
    }

    /**
     * @param data   the encoded image
     * @param source what to call the input in error messages (a file name, "image 2 of the request")
     */
    public RgbImage decode(byte[] data, String source) {
        if (data == null || data.length == 0) {
            throw new ImageInputException(source + ": image data is empty");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(in, data, source);
            try {
                reader.setInput(in, true, false);
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                checkSize(reader.getWidth(0), reader.getHeight(0), format, source);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(collect(warnings));
                BufferedImage image = reader.read(0);
                failOnTruncation(warnings, format, source);
                RgbImage rgb = RgbConversion.toRgb(image);
                if (exifOrientation && format.equals("JPEG")) {
                    rgb = ExifOrientation.apply(rgb, ExifOrientation.readFromJpeg(data));
                }
                return rgb;
            } finally {
                reader.dispose();
            }
        } catch (ImageInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO plugins report corrupt data as IIOException, but also as
            // IllegalArgumentException, IndexOutOfBounds..., so every failure here is bad input.
            throw new ImageInputException(source + ": cannot decode image (corrupt or truncated?): "
                    + describe(e), e);
        }
    }

    private static ImageReader readerFor(ImageInputStream in, byte[] data, String source) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            int n = Math.min(data.length, 8);
            throw new ImageInputException(source + ": not a supported image format (PNG, JPEG, WebP, GIF, BMP); "
                    + "the data starts with bytes " + HexFormat.ofDelimiter(" ").formatHex(data, 0, n));
        }
        return readers.next();
    }

    private void checkSize(int width, int height, String format, String source) {
        if (width <= 0 || height <= 0) {
            throw new ImageInputException(source + ": " + format + " image has zero size (" + width + "x" + height + ")");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new ImageInputException(source + ": " + format + " image is " + width + "x" + height + " = "
                    + pixels + " pixels, more than the limit of " + maxPixels
                    + " (refused without decoding; it may be a decompression bomb)");
        }
    }

    private static IIOReadWarningListener collect(List<String> warnings) {
        return (reader, warning) -> warnings.add(warning);
    }

    /** Java's JPEG reader only WARNS on truncated data and fills the rest with gray; Pillow refuses. */
    private static void failOnTruncation(List<String> warnings, String format, String source) {
        for (String w : warnings) {
            String lower = w.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncated")) {
                throw new ImageInputException(source + ": " + format + " image is truncated (" + w + ")");
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (!sb.isEmpty()) sb.append(": ");
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.toString();
    }
}
