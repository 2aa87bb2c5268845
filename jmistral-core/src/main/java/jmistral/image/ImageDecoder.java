package jmistral.image;

import jmistral.tokenizer.ImageConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG, WebP (TwelveMonkeys plugin), GIF (first frame) and BMP bytes into an
 * {@link RgbImage}, Pillow-style ({@link RgbConversion}), with EXIF orientation applied to JPEGs.
 *
 * <p>Hostile input is refused before any pixel memory is allocated: the size is read from the header
 * first and anything above {@link #maxPixels()} (default 50 megapixels) or with a side over
 * {@link #MAX_SIDE} pixels is an {@link ImageInputException}, as are empty, zero-sized, undecodable and
 * truncated data.
 *
 * <p>Work is bounded too, so a small file that claims a large image (a "pixel bomb": a 7000x7000 16-bit
 * PNG is 381 KB) cannot hold a core for long:
 * <ul>
 *   <li>an image at least twice the model's side limit (1540 px) is decoded subsampled, every f-th pixel
 *       of every f-th row ({@link #subsamplingFor}), so that it stays at least 1540 px on its longer side
 *       and keeps exactly the token grid of the full image ({@link ImageGrid}); the raster is f^2 times
 *       smaller and the pixel conversion as much cheaper. The pixels then differ slightly from a full
 *       decode resized as mistral-common does; {@link #withSubsampling(boolean) withSubsampling(false)}
 *       decodes every pixel;</li>
 *   <li>images decoded at once are limited by a permit pool ({@link ImageDecodePermits#shared()}: one per
 *       core by default);</li>
 *   <li>a decode still running after {@link #decodeTimeout()} (default 30 s) is aborted and refused.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageDecoder {
    /** Default pixel limit: 50 megapixels (a 8660x5773 photo still fits). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /**
     * Longest side accepted (JPEG's own limit): a PNG 50 million pixels wide and one high is under the pixel
     * limit, but its decoder would allocate two 400 MB row buffers.
     */
    public static final int MAX_SIDE = 65_535;
    /** Default time a decode may take before it is aborted. */
    public static final Duration DEFAULT_DECODE_TIMEOUT = Duration.ofSeconds(30);

    private final long maxPixels;
    private final boolean exifOrientation;
    private final boolean subsampling;
    private final ImageDecodePermits permits;
    private final Duration decodeTimeout;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS, true, true, null, DEFAULT_DECODE_TIMEOUT);
    }

    private ImageDecoder(long maxPixels, boolean exifOrientation, boolean subsampling, ImageDecodePermits permits,
                         Duration decodeTimeout) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        if (decodeTimeout == null || decodeTimeout.isNegative() || decodeTimeout.isZero())
            throw new IllegalArgumentException("decodeTimeout must be positive: " + decodeTimeout);
        this.maxPixels = maxPixels;
        this.exifOrientation = exifOrientation;
        this.subsampling = subsampling;
        this.permits = permits;
        this.decodeTimeout = decodeTimeout;
    }

    /** A decoder that refuses images with more than {@code maxPixels} pixels. */
    public ImageDecoder withMaxPixels(long maxPixels) {
        return new ImageDecoder(maxPixels, exifOrientation, subsampling, permits, decodeTimeout);
    }

    /** A decoder that does (true, default) or does not apply JPEG EXIF orientation. */
    public ImageDecoder withExifOrientation(boolean apply) {
        return new ImageDecoder(maxPixels, apply, subsampling, permits, decodeTimeout);
    }

    /** A decoder that does (true, default) or does not decode large images subsampled (see the class comment). */
    public ImageDecoder withSubsampling(boolean subsample) {
        return new ImageDecoder(maxPixels, exifOrientation, subsample, permits, decodeTimeout);
    }

    /** A decoder taking its permits from {@code pool} instead of the process-wide {@link ImageDecodePermits#shared()}. */
    public ImageDecoder withPermits(ImageDecodePermits pool) {
        return new ImageDecoder(maxPixels, exifOrientation, subsampling, pool, decodeTimeout);
    }

    /** A decoder that aborts and refuses a decode running longer than {@code timeout}. */
    public ImageDecoder withDecodeTimeout(Duration timeout) {
        return new ImageDecoder(maxPixels, exifOrientation, subsampling, permits, timeout);
    }

    public long maxPixels() { return maxPixels; }

    public Duration decodeTimeout() { return decodeTimeout; }

    /** The permit pool decodes wait on. */
    public ImageDecodePermits permits() { return permits != null ? permits : ImageDecodePermits.shared(); }

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
        try (ImageDecodePermits.Permit permit = permits().acquire(source)) {
            return decodeHoldingPermit(data, source);
        }
    }

    private RgbImage decodeHoldingPermit(byte[] data, String source) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(in, data, source);
            try {
                reader.setInput(in, true, true);   // metadata ignored: no ICC profile or compressed text parsed
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                int width = reader.getWidth(0), height = reader.getHeight(0);
                checkSize(width, height, format, source);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(collect(warnings));
                Deadline deadline = new Deadline(System.nanoTime() + decodeTimeout.toNanos());
                reader.addIIOReadProgressListener(deadline);
                ImageReadParam param = reader.getDefaultReadParam();
                int f = subsampling ? subsamplingFor(width, height, ImageConfig.MISTRAL_SMALL_3) : 1;   // the model's image sizes
                if (f > 1) param.setSourceSubsampling(f, f, 0, 0);
                BufferedImage image = reader.read(0, param);
                if (deadline.expired) {
                    throw new ImageInputException(source + ": decoding the " + format + " image (" + width + "x" + height
                            + ") took longer than the limit of " + decodeTimeout.toSeconds() + " s; refused");
                }
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
        } catch (OutOfMemoryError e) {
            // an allocation the header checks did not foresee (a plugin's own buffers): this image only
            throw new ImageInputException(source + ": the image needs more memory to decode than this process has", e);
        }
    }

    /**
     * The subsampling factor f for a {@code width x height} image: the largest f whose subsampled image
     * (ceil(width/f) x ceil(height/f)) is still at least the model's side limit on its longer side and has the
     * same token grid as the full image, so prompts and token counts do not depend on it; 1 for images under
     * twice the limit.
     */
    static int subsamplingFor(int width, int height, ImageConfig config) {
        ImageGrid full = ImageGrid.forImage(width, height, config);
        for (int f = Math.max(width, height) / config.maxImageSize(); f > 1; f--) {
            int w = ceilDiv(width, f), h = ceilDiv(height, f);
            if (ImageGrid.forImage(w, h, config).equals(full)) return f;
        }
        return 1;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Aborts a read past its deadline. Readers report progress from the decoding thread (the PNG reader
     * every row, the JPEG reader every twentieth of the image), which is also the only thread the JDK's
     * JPEG reader lets call {@code abort()}.
     */
    private static final class Deadline implements IIOReadProgressListener {
        private final long deadlineNanos;
        boolean expired;

        Deadline(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            if (!expired && System.nanoTime() - deadlineNanos > 0) {
                expired = true;
                source.abort();
            }
        }

        @Override public void sequenceStarted(ImageReader source, int minIndex) {}
        @Override public void sequenceComplete(ImageReader source) {}
        @Override public void imageStarted(ImageReader source, int imageIndex) {}
        @Override public void imageComplete(ImageReader source) {}
        @Override public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {}
        @Override public void thumbnailProgress(ImageReader source, float percentageDone) {}
        @Override public void thumbnailComplete(ImageReader source) {}
        @Override public void readAborted(ImageReader source) {}
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
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new ImageInputException(source + ": " + format + " image is " + width + "x" + height
                    + ", a side longer than the limit of " + MAX_SIDE + " pixels");
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
