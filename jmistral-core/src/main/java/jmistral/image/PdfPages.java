package jmistral.image;

import jmistral.tokenizer.ImageConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

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
        } catch (IOException | RuntimeException e) {
            throw failure(pdf.toString(), e);
        }
    }

    /** Opens PDF bytes; {@code source} names them in error messages. */
    public static PdfPages open(byte[] pdf, String source) {
        try {
            return checked(Loader.loadPDF(pdf), source);
        } catch (IOException | RuntimeException e) {
            throw failure(source, e);
        }
    }

    private static PdfPages checked(PDDocument doc, String source) {
        if (doc.getNumberOfPages() == 0) {
            closeQuietly(doc);
            throw new ImageInputException(source + ": the PDF has no pages");
        }
        if (doc.getNumberOfPages() > MAX_PAGES) { // the page tree's /Count can lie (2^31-1)
            int claimed = doc.getNumberOfPages();
            closeQuietly(doc);
            throw new ImageInputException(source + ": the PDF claims " + claimed + " pages, more than the limit of " + MAX_PAGES);
        }
        ImageConfig cfg = ImageConfig.MISTRAL_SMALL_3;
        return new PdfPages(doc, source, cfg, cfg.maxImageSize());
    }

    private static ImageInputException failure(String source, Exception e) {
        if (e instanceof ImageInputException iie) return iie;
        if (e instanceof InvalidPasswordException) {
            return new ImageInputException(source + ": the PDF is encrypted and needs a password to open", e);
        }
        return new ImageInputException(source + ": not a readable PDF (corrupt or not a PDF?): " + e.getMessage(), e);
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
        checkEmbeddedImages(page, pageIndex);
        try {
            BufferedImage image = new PDFRenderer(document).renderImage(pageIndex, scale(page), ImageType.RGB);
            return RgbConversion.toRgb(image);
        } catch (IOException | RuntimeException e) {
            throw new ImageInputException(source + ": cannot render page " + (pageIndex + 1) + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a page whose images (read from their dictionaries, not decoded) are too large to decode. */
    private void checkEmbeddedImages(PDPage page, int pageIndex) {
        try {
            var resources = page.getResources();
            if (resources == null) return;
            for (var name : resources.getXObjectNames()) {
                if (resources.getXObject(name) instanceof org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject img) {
                    long pixels = (long) img.getWidth() * img.getHeight();
                    if (img.getWidth() < 0 || img.getHeight() < 0 || pixels > MAX_EMBEDDED_IMAGE_PIXELS) {
                        throw new ImageInputException(source + ": page " + (pageIndex + 1) + " holds a " + img.getWidth() + "x"
                                + img.getHeight() + " image, more than the limit of " + MAX_EMBEDDED_IMAGE_PIXELS + " pixels");
                    }
                }
            }
        } catch (IOException e) {
            throw new ImageInputException(source + ": cannot read page " + (pageIndex + 1) + "'s images: " + e.getMessage(), e);
        }
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
        return document.getPage(pageIndex);
    }

    /** Pixels per PDF point that make the page's longer side maxSide pixels. */
    private float scale(PDPage page) {
        PDRectangle box = page.getCropBox();
        float longer = Math.max(box.getWidth(), box.getHeight());
        if (!(longer > 0) || !Float.isFinite(longer)) {
            throw new ImageInputException(source + ": page has an empty or invalid size (" + box + ")");
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
