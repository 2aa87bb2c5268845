package jmistral.image;

import jmistral.Printable;
import jmistral.tokenizer.ImageConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.rendering.PageDrawer;
import org.apache.pdfbox.rendering.PageDrawerParameters;

/**
 * Pages of a PDF as images for the model (Apache PDFBox), one image per page. Each page is rendered
 * at the resolution that makes its longer side exactly the image budget (1540 px by default), so no
 * later downscaling happens and the page uses the detail the vision encoder can take.
 *
 * <p>Token cost is known before rendering ({@link #gridForPage}), so a caller can tell a user how many
 * pages fit the context ({@link #pagesThatFit}). Not thread-safe (PDFBox documents are not).
 */
public final class PdfPages implements AutoCloseable {
    private final PDDocument document;
    private final String source;
    private final ImageConfig config;
    private final int maxSide;

    /** Most pages a PDF may claim (a page range over more would be sized by a lie). */
    public static final int MAX_PAGES = 10_000;
    /** Largest embedded image (width x height) a page may hold: PDFBox decodes it whole to render the page. */
    public static final long MAX_EMBEDDED_IMAGE_PIXELS = ImageDecoder.DEFAULT_MAX_PIXELS;
    /**
     * Longest page side in PDF units (14,400 = 200 inches, ISO 32000's implementation limit). The page is
     * rendered at 1540 px whatever its size, so this guards what is drawn on it: on a page miles wide, every
     * stroke and glyph is scaled by a factor near zero.
     */
    public static final float MAX_PAGE_SIDE = 14_400f;
    /** Longest a page may take to render (checked between drawing operators), like an image's decode deadline. */
    public static final Duration MAX_RENDER_TIME = ImageDecoder.DEFAULT_DECODE_TIMEOUT;

    private PdfPages(PDDocument document, String source, ImageConfig config, int maxSide) {
        this.document = document;
        this.source = source;
        this.config = config;
        this.maxSide = maxSide;
    }

    /** Opens an unencrypted PDF file. */
    public static PdfPages open(Path pdf) {
        return open(pdf, "");
    }

    /** Opens a PDF; {@code password} is the user password for an encrypted file ("" for none). */
    public static PdfPages open(Path pdf, String password) {
        try {
            return checked(Loader.loadPDF(pdf.toFile(), password), pdf.toString());
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw failure(pdf.toString(), e);
        }
    }

    /** Opens PDF bytes; {@code source} names them in error messages. */
    public static PdfPages open(byte[] pdf, String source) {
        try {
            return checked(Loader.loadPDF(pdf), source);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw failure(source, e);
        }
    }

    /** The document if it has 1..MAX_PAGES pages; else (or if asking fails) it is closed and the error thrown. */
    private static PdfPages checked(PDDocument doc, String source) {
        try {
            int pages = doc.getNumberOfPages();
            if (pages == 0) throw new ImageInputException(source + ": the PDF has no pages");
            if (pages > MAX_PAGES) { // the page tree's /Count can lie (2^31-1)
                throw new ImageInputException(source + ": the PDF claims " + pages + " pages, more than the limit of " + MAX_PAGES);
            }
        } catch (RuntimeException | StackOverflowError e) {
            closeQuietly(doc);
            throw e;
        }
        ImageConfig cfg = ImageConfig.MISTRAL_SMALL_3;
        return new PdfPages(doc, source, cfg, cfg.maxImageSize());
    }

    private static ImageInputException failure(String source, Throwable e) {
        if (e instanceof ImageInputException iie) return iie;
        if (e instanceof InvalidPasswordException) {
            return new ImageInputException(source + ": the PDF is encrypted and needs a password to open", e);
        }
        return new ImageInputException(source + ": not a readable PDF (corrupt or not a PDF?): " + describe(e), e);
    }

    /**
     * The same document rendered so its longer side is {@code maxSide} pixels (fewer tokens per page);
     * shares the open document, so close only one of them.
     */
    public PdfPages withMaxSide(int maxSide) {
        if (maxSide < 1 || maxSide > config.maxImageSize()) {
            throw new IllegalArgumentException("maxSide must be 1.." + config.maxImageSize() + ": " + maxSide);
        }
        return new PdfPages(document, source, config, maxSide);
    }

    public int pageCount() { return document.getNumberOfPages(); }

    /** Pixel size a page renders to (width, height), computed like PDFBox's PDFRenderer does. */
    public int[] renderedSize(int pageIndex) {
        PDPage page = page(pageIndex);
        float scale = scale(page);
        PDRectangle box = page.getCropBox();
        int w = (int) Math.max(Math.floor(box.getWidth() * scale), 1);
        int h = (int) Math.max(Math.floor(box.getHeight() * scale), 1);
        int rotation = page.getRotation();
        return rotation == 90 || rotation == 270 ? new int[] {h, w} : new int[] {w, h};
    }

    /** Token grid of a page, without rendering it. */
    public ImageGrid gridForPage(int pageIndex) {
        int[] size = renderedSize(pageIndex);
        return ImageGrid.forImage(size[0], size[1], config);
    }

    /** Prompt tokens a page costs ([IMG], [IMG_BREAK] and [IMG_END] tokens). */
    public int promptTokensForPage(int pageIndex) {
        return gridForPage(pageIndex).promptTokenCount();
    }

    /** How many of the given pages, taken in order, fit into {@code tokenBudget} prompt tokens. */
    public int pagesThatFit(int[] pageIndices, int tokenBudget) {
        int used = 0;
        for (int i = 0; i < pageIndices.length; i++) {
            used += promptTokensForPage(pageIndices[i]);
            if (used > tokenBudget) return i;
        }
        return pageIndices.length;
    }

    /** 0-based page indices of a range, checked against this document. */
    public int[] pages(PageRange range) {
        return range.resolve(pageCount(), source);
    }

    public RgbImage render(int pageIndex) {
        PDPage page = page(pageIndex);
        float scale = scale(page);
        try {
            checkPageImages(page, pageIndex);
            long deadline = System.nanoTime() + MAX_RENDER_TIME.toNanos();
            BufferedImage image = new BoundedRenderer(document, source, pageIndex, deadline).renderImage(pageIndex, scale, ImageType.RGB);
            return RgbConversion.toRgb(image);
        } catch (ImageInputException e) {
            throw e;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // StackOverflowError: PDFBox recurses into nested forms, patterns and Type3 glyphs as deep as the file says
            throw new ImageInputException(source + ": cannot render page " + (pageIndex + 1) + ": " + describe(e), e);
        } catch (OutOfMemoryError e) {
            // PDFBox holds some tokens whole (a number or string in a content stream that inflates to a gigabyte);
            // what it allocated for this page is garbage now
            throw new ImageInputException(source + ": page " + (pageIndex + 1) + " needs more memory to render than this process has"
                    + " (a content stream that inflates to a huge token?)", e);
        }
    }

    /** Refuses a page whose own images (read from their dictionaries, not decoded) are too large, before rendering. */
    private void checkPageImages(PDPage page, int pageIndex) throws IOException {
        var resources = page.getResources();
        if (resources == null) return;
        for (var name : resources.getXObjectNames()) {
            if (resources.getXObject(name) instanceof PDImageXObject img) {
                checkImage(source, pageIndex, img.getWidth(), img.getHeight());
            }
        }
    }

    private static void checkImage(String source, int pageIndex, int width, int height) {
        long pixels = (long) width * height;
        if (width < 0 || height < 0 || pixels > MAX_EMBEDDED_IMAGE_PIXELS) {
            throw new ImageInputException(source + ": page " + (pageIndex + 1) + " holds a " + width + "x" + height
                    + " image, more than the limit of " + MAX_EMBEDDED_IMAGE_PIXELS + " pixels");
        }
    }

    /**
     * PDFBox's renderer with a look at every image before it is decoded (page XObjects, those inside forms,
     * patterns, annotations and Type3 glyphs, inline images, and their masks): one over
     * {@link #MAX_EMBEDDED_IMAGE_PIXELS} is refused, as PDFBox would decode it whole. Images drawn smaller than
     * they are decoded subsampled (PDFBox's own option), as only the rendered page's pixels are kept.
     */
    private static final class BoundedRenderer extends PDFRenderer {
        private final String source;
        private final int pageIndex;
        private final long deadlineNanos;

        BoundedRenderer(PDDocument document, String source, int pageIndex, long deadlineNanos) {
            super(document);
            this.source = source;
            this.pageIndex = pageIndex;
            this.deadlineNanos = deadlineNanos;
            setSubsamplingAllowed(true);
        }

        @Override
        protected PageDrawer createPageDrawer(PageDrawerParameters parameters) throws IOException {
            return new PageDrawer(parameters) {
                @Override
                public void drawImage(PDImage image) throws IOException {
                    checkImage(source, pageIndex, image.getWidth(), image.getHeight());
                    if (image instanceof PDImageXObject x) {
                        for (PDImageXObject mask : new PDImageXObject[] {x.getSoftMask(), x.getMask()}) {
                            if (mask != null) checkImage(source, pageIndex, mask.getWidth(), mask.getHeight());
                        }
                    }
                    super.drawImage(image);
                }

                @Override
                protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
                    if (System.nanoTime() - deadlineNanos > 0) {
                        throw new ImageInputException(source + ": rendering page " + (pageIndex + 1) + " took longer than the limit of "
                                + MAX_RENDER_TIME.toSeconds() + " s; refused");
                    }
                    super.processOperator(operator, operands);
                }
            };
        }
    }

    /** An exception's message, or its class when it has none (PDFBox's parser errors often do not), cut short. */
    private static String describe(Throwable e) {
        return Printable.escape(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), 300);
    }

    /** Renders the pages of a range, one image per page, in page order. */
    public List<RgbImage> render(PageRange range) {
        List<RgbImage> images = new ArrayList<>();
        for (int i : pages(range)) images.add(render(i));
        return images;
    }

    private PDPage page(int pageIndex) {
        if (pageIndex < 0 || pageIndex >= pageCount()) {
            throw new ImageInputException(source + ": page " + (pageIndex + 1) + " requested but the document has "
                    + pageCount() + " pages");
        }
        try {
            return document.getPage(pageIndex);
        } catch (RuntimeException | StackOverflowError e) {   // a broken page tree (a cycle, a missing kid, a wrong type)
            throw new ImageInputException(source + ": page " + (pageIndex + 1) + " cannot be read from the page tree: " + describe(e), e);
        }
    }

    /** Pixels per PDF point that make the page's longer side maxSide pixels. */
    private float scale(PDPage page) {
        PDRectangle box = page.getCropBox();
        float longer = Math.max(box.getWidth(), box.getHeight());
        if (!(longer > 0) || !Float.isFinite(longer) || !(Math.min(box.getWidth(), box.getHeight()) > 0)) {
            throw new ImageInputException(source + ": page has an empty or invalid size (" + box + ")");
        }
        if (longer > MAX_PAGE_SIDE) {
            throw new ImageInputException(source + ": page is " + box.getWidth() + " x " + box.getHeight()
                    + " units, a side longer than the limit of " + MAX_PAGE_SIDE + " (200 inches, the PDF format's own limit)");
        }
        // PDFRenderer floors longer*scale; in float that gives maxSide or maxSide-1, same token grid
        return maxSide / longer;
    }

    @Override
    public void close() {
        closeQuietly(document);
    }

    private static void closeQuietly(PDDocument doc) {
        try {
            doc.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }
}
