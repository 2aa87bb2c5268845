package jmistral.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;

/** PDF pages rendered with PDFBox from a PDF built in the test (shapes only: no font lookup). */
class PdfPagesTest {

    /** Page 1: A4 portrait, left half red, right half blue. Page 2: letter landscape, green.
     *  Page 3: A4 with /Rotate 90, white. */
    static byte[] threePagePdf(StandardProtectionPolicy protection) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage a4 = new PDPage(PDRectangle.A4);
            doc.addPage(a4);
            try (PDPageContentStream cs = new PDPageContentStream(doc, a4)) {
                float w = a4.getMediaBox().getWidth(), h = a4.getMediaBox().getHeight();
                fill(cs, Color.RED, 0, 0, w / 2, h);
                fill(cs, Color.BLUE, w / 2, 0, w / 2, h);
            }
            PDPage landscape = new PDPage(new PDRectangle(792, 612));
            doc.addPage(landscape);
            try (PDPageContentStream cs = new PDPageContentStream(doc, landscape)) {
                fill(cs, Color.GREEN, 0, 0, 792, 612);
            }
            PDPage rotated = new PDPage(PDRectangle.A4);
            rotated.setRotation(90);
            doc.addPage(rotated);
            if (protection != null) doc.protect(protection);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    private static void fill(PDPageContentStream cs, Color c, float x, float y, float w, float h) throws IOException {
        cs.setNonStrokingColor(c);
        cs.addRect(x, y, w, h);
        cs.fill();
    }

    @Test
    void pagesRenderAtTheImageBudget() throws IOException {
        try (PdfPages pdf = PdfPages.open(threePagePdf(null), "three.pdf")) {
            assertEquals(3, pdf.pageCount());
            RgbImage page1 = pdf.render(0);
            // A4 is 595x842 pt: the longer side gets the 1540 px budget
            assertTrue(page1.height() == 1540 || page1.height() == 1539, "height " + page1.height());
            assertEquals((int) Math.floor(595 * (1540f / 842)), page1.width(), 1);
            assertArrayEquals(pdf.renderedSize(0), new int[] {page1.width(), page1.height()});
            ImageGrid grid = pdf.gridForPage(0);
            assertEquals(ImageGrid.forImage(page1.width(), page1.height()), grid);
            assertEquals(55, grid.tokenRows());
            assertEquals((grid.tokenCols() + 1) * 55, pdf.promptTokensForPage(0));

            assertEquals(255, page1.sample(10, 700, 0));
            assertEquals(0, page1.sample(10, 700, 2));
            assertEquals(255, page1.sample(page1.width() - 10, 700, 2));
            assertEquals(0, page1.sample(page1.width() - 10, 700, 0));

            List<RgbImage> rest = pdf.render(PageRange.parse("2-3"));
            assertEquals(2, rest.size());
            RgbImage landscape = rest.get(0);
            assertEquals(landscape.width(), Math.max(landscape.width(), landscape.height()));
            assertTrue(landscape.width() >= 1539 && landscape.width() <= 1540);
            assertEquals(255, landscape.sample(100, 100, 1));
            RgbImage rotated = rest.get(1);
            assertTrue(rotated.width() > rotated.height(), "rotated A4 renders landscape");
            assertArrayEquals(pdf.renderedSize(2), new int[] {rotated.width(), rotated.height()});
            assertEquals(255, rotated.sample(5, 5, 0));
        }
    }

    @Test
    void smallerBudgetAndPagesThatFit() throws IOException {
        try (PdfPages pdf = PdfPages.open(threePagePdf(null), "three.pdf")) {
            int[] all = pdf.pages(PageRange.all());
            int cost0 = pdf.promptTokensForPage(0), cost1 = pdf.promptTokensForPage(1);
            assertEquals(0, pdf.pagesThatFit(all, cost0 - 1));
            assertEquals(1, pdf.pagesThatFit(all, cost0));
            assertEquals(2, pdf.pagesThatFit(all, cost0 + cost1));
            assertEquals(3, pdf.pagesThatFit(all, 100_000));

            PdfPages small = pdf.withMaxSide(448);
            RgbImage page = small.render(0);
            assertTrue(page.height() == 448 || page.height() == 447, "height " + page.height());
            assertEquals(16, small.gridForPage(0).tokenRows());
        }
    }

    @Test
    void encryptedPdfNeedsThePassword() throws IOException {
        byte[] locked = threePagePdf(new StandardProtectionPolicy("owner", "secret", new AccessPermission()));
        String msg = assertThrows(ImageInputException.class, () -> PdfPages.open(locked, "locked.pdf")).getMessage();
        assertTrue(msg.contains("locked.pdf") && msg.contains("encrypted"), msg);
    }

    @Test
    void corruptPdfIsAClearError() throws IOException {
        String msg = assertThrows(ImageInputException.class,
                () -> PdfPages.open("just some text, no PDF".getBytes(), "notes.pdf")).getMessage();
        assertTrue(msg.contains("notes.pdf") && msg.contains("not a readable PDF"), msg);

        byte[] pdf = threePagePdf(null);
        byte[] cut = Arrays.copyOf(pdf, 30);
        msg = assertThrows(ImageInputException.class, () -> PdfPages.open(cut, "cut.pdf")).getMessage();
        assertTrue(msg.contains("cut.pdf"), msg);
    }

    @Test
    void pageOutsideTheDocumentIsAClearError() throws IOException {
        try (PdfPages pdf = PdfPages.open(threePagePdf(null), "three.pdf")) {
            String msg = assertThrows(ImageInputException.class, () -> pdf.render(PageRange.parse("3-4"))).getMessage();
            assertTrue(msg.contains("page 4") && msg.contains("3 pages"), msg);
        }
    }

    /** A page count that lies and an embedded image too large to decode are refused before rendering. */
    @Test
    void lyingPageCountAndHugeEmbeddedImageAreRefused() throws IOException {
        byte[] pdf;
        try (PDDocument doc = new PDDocument()) {
            org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage();
            doc.addPage(page);
            var image = new org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject(
                    new org.apache.pdfbox.pdmodel.common.PDStream(doc), page.getResources());
            image.setWidth(40_000);
            image.setHeight(40_000);
            image.setBitsPerComponent(8);
            image.setColorSpace(org.apache.pdfbox.pdmodel.graphics.color.PDDeviceRGB.INSTANCE);
            if (page.getResources() == null) page.setResources(new org.apache.pdfbox.pdmodel.PDResources());
            page.getResources().add(image);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            doc.save(out, org.apache.pdfbox.pdfwriter.compress.CompressParameters.NO_COMPRESSION);
            pdf = out.toByteArray();
        }
        try (PdfPages pages = PdfPages.open(pdf, "huge.pdf")) {
            var e = assertThrows(ImageInputException.class, () -> pages.render(0));
            assertTrue(e.getMessage().contains("40000x40000 image, more than the limit"), e.getMessage());
        }
        String text = new String(pdf, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("/Count 1"), "an uncompressed page tree");
        byte[] lying = text.replace("/Count 1", "/Count 2147483647").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        var e = assertThrows(ImageInputException.class, () -> PdfPages.open(lying, "lying.pdf"));
        assertTrue(e.getMessage().contains("claims 2147483647 pages, more than the limit of " + PdfPages.MAX_PAGES), e.getMessage());
    }
}
