package jmistral.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The README's "Use it from Java" program is this module's UseFromJava, line for line, and it runs. */
class ReadmeExampleTest {

    /** The lines between the README-BEGIN and README-END markers of a text. */
    private static String between(String text, String begin, String end) {
        int b = text.indexOf(begin), e = text.indexOf(end);
        assertTrue(b >= 0 && e > b, "markers " + begin + " / " + end + " not found");
        return text.substring(text.indexOf('\n', b + begin.length()) + 1, e).stripTrailing();
    }

    @Test
    void readmeShowsTheExampleExactly() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("README.md")) || !Files.exists(root.resolve("jmistral-core"))) root = root.getParent();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("jmistral-core/src/test/java/jmistral/engine/UseFromJava.java"));
        String shown = between(readme, "<!-- README-BEGIN UseFromJava -->\n```java", "```\n<!-- README-END UseFromJava -->");
        assertEquals(between(source, "// README-BEGIN", "// README-END"), shown,
                "README.md's Java example must be jmistral-core/src/test/java/jmistral/engine/UseFromJava.java");
    }

    @Test
    void theExampleRunsOnASmallModel() throws Exception {
        Path picture = Files.createTempFile("picture", ".png");
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
        ImageIO.write(img, "png", picture.toFile());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            UseFromJava.main(new String[] {TinyEngineModel.gguf().toString(), picture.toString()});
        } finally {
            System.setOut(out);
            Files.deleteIfExists(picture);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n", -1);
        String printed = captured.toString(StandardCharsets.UTF_8);
        // the forced tool call names the tool and starts its JSON arguments; the schema answer is JSON
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("get_weather {")), printed);
        assertTrue(printed.lines().anyMatch(l -> !l.startsWith("get_weather") && l.strip().startsWith("{")), printed);
        assertTrue(lines.length >= 5, printed);
    }
}
