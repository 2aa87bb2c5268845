package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jmistral.chat.ContentPart;
import jmistral.chat.MultimodalPrompt;
import jmistral.image.ImageGrid;
import jmistral.image.ImageInputException;
import jmistral.image.PageRange;
import jmistral.image.RgbImage;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building image prompts: order, token counts from ImageGrid, PDF page budget errors, block checks. */
class MultimodalPromptTest {

    @Test
    void imagesFirstThenTextWithTokenCounts() {
        RgbImage a = FormulaImage.of(56, 28), b = FormulaImage.of(100, 30);
        MultimodalPrompt p = new MultimodalPrompt().addText("compare").add("a.png", a).add("b.png", b);
        List<ContentPart> parts = p.userMessage().content();
        assertEquals(3, parts.size());
        assertTrue(parts.get(2) instanceof ContentPart.Text);
        assertEquals(a, p.pixels((ContentPart.Image) parts.get(0)));
        assertEquals(b, p.pixels((ContentPart.Image) parts.get(1)));
        int expected = ImageGrid.forImage(56, 28).promptTokenCount() + ImageGrid.forImage(100, 30).promptTokenCount();
        assertEquals(expected, p.imageTokens());
        assertEquals(3 + 10, expected);   // 2x1 grid + 1 end; 4x2 grid: 5*2
    }

    @Test
    void pdfPagesBeyondTheBudgetSayHowManyFit(@TempDir Path dir) throws IOException {
        Path pdf = dir.resolve("report.pdf");
        try (PDDocument doc = new PDDocument()) {
            for (int i = 0; i < 3; i++) doc.addPage(new PDPage(PDRectangle.A4));
            doc.save(pdf.toFile());
        }
        int perPage = ImageGrid.forImage(1089, 1540).promptTokenCount();   // A4 rendered at the 1540 budget
        ImageInputException e = assertThrows(ImageInputException.class,
                () -> new MultimodalPrompt().addPdf(pdf, PageRange.parse("1-3"), 2 * perPage + 10));
        assertTrue(e.getMessage().contains("2 page(s) fit"), e.getMessage());
        MultimodalPrompt ok = new MultimodalPrompt().addPdf(pdf, PageRange.parse("2-3"), 2 * perPage + 10);
        assertEquals(2, ok.userMessage().content().size());
        assertEquals(2 * perPage, ok.imageTokens());
    }

    @Test
    void promptWithoutTheImageBlockIsAClearError() {
        try (VisionModel m = tiny()) {
            ImagePipeline pipeline = new ImagePipeline(m, ImageTokenIds.TEKKEN);
            RgbImage img = FormulaImage.of(56, 56);   // 2x2 grid: 10 10 12 10 10 13
            int[] wrong = {1, 3, 10, 10, 12, 10, 13, 4};
            assertTrue(assertThrows(IllegalArgumentException.class, () -> pipeline.promptEmbeddings(wrong, List.of(img)))
                    .getMessage().contains("2 rows of 2 [IMG] tokens"));
            int[] noImage = {1, 3, 4};
            assertThrows(IllegalArgumentException.class, () -> pipeline.promptEmbeddings(noImage, List.of(img)));
            int[] right = {1, 3, 10, 10, 12, 10, 10, 13, 4};
            float[][] rows = pipeline.promptEmbeddings(right, List.of(img));
            for (int t = 0; t < right.length; t++) assertEquals(right[t] == 10, rows[t] != null);
        }
    }

    static VisionModel tiny() {
        VisionConfig c = new VisionConfig(32, 1, 2, 64, 14, 2, 48, 1e-5f, 1e4);
        var src = new jmistral.model.synth.SynthTensors(jmistral.model.synth.SynthVision.tensors(c, 1, VisionTensorNames.GGUF),
                jmistral.tensor.GgmlType.F32);
        return new VisionModel(VisionWeights.load(src, c), src);
    }
}
