package jmistral.cli;

import static jmistral.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SamplingParams;
import jmistral.generate.SequenceRequest;
import jmistral.hub.DefaultModels;
import jmistral.hub.HubConfig;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.model.vision.VisionConfig;
import jmistral.model.vision.VisionModel;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;
import jmistral.image.ImageDecoder;
import jmistral.image.RgbImage;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * run / chat with images, PDF pages and the default system prompt, on a tiny formula model with the real
 * Tekken vocabulary (jmistral.model.synth) and a tiny vision tower written as an mmproj GGUF beside it.
 * The yardstick is the library path: PromptEncoder, ImagePipeline and a Generator called directly.
 */
@Timeout(180)
class MultimodalCommandsTest {

    static final long SEED = 3;
    static final TextConfig TEXT = new TextConfig(64, 2, 32, 128, 2, 1, 1e-5, 1e9, 131072, 8192);
    static final VisionConfig VISION = new VisionConfig(32, 1, 2, 64, 14, 2, 64, 1e-5f, 1e4);

    @TempDir static Path dir;
    static Path gguf, mmproj, textOnly, withPrompt, png;
    static Tekken tekken;

    @BeforeAll
    static void writeModels() throws Exception {
        Path vision = Files.createDirectories(dir.resolve("vision"));
        gguf = vision.resolve("tiny.gguf");
        Synth.write(gguf, new Synth.Options(LoadedModel.Format.GGUF, TEXT, SEED, true, GgmlType.F32, 0));
        mmproj = vision.resolve("mmproj-tiny-f16.gguf");
        SynthVisionFiles.writeMmproj(mmproj, VISION, SEED, SynthVisionFiles.formulaImgBreak(SEED, TEXT.vocabSize(), TEXT.dim()));
        textOnly = Files.createDirectories(dir.resolve("text")).resolve("tiny.gguf");
        Files.createSymbolicLink(textOnly, gguf);
        withPrompt = Files.createDirectories(dir.resolve("prompted")).resolve("tiny.gguf");
        Files.createSymbolicLink(withPrompt, gguf);
        Files.writeString(withPrompt.resolveSibling("SYSTEM_PROMPT.txt"), "You are {name}. Today is {today}, yesterday was {yesterday}. {{ok}}");
        try (LoadedModel m = ModelLoader.load(gguf)) {
            tekken = Tekken.fromGgufMetadata(m.ggufMetadata().orElseThrow());
        }
        png = dir.resolve("chart.png");
        writeFormulaPng(png, 84, 56);
    }

    @AfterEach
    void restore() {
        ChatCommand.input = () -> System.in;
        HubSettings.config = HubConfig::fromEnvironment;
    }

    static void writeFormulaPng(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.setRGB(x, y, ((7 * x + 3 * y) % 256) << 16 | ((2 * x + 11 * y + 80) % 256) << 8 | ((x * x + y) % 256));
        ImageIO.write(img, "png", file.toFile());
    }

    /** Greedy answer computed on the library path: image embeddings placed by scanning for [IMG] runs. */
    static int[] reference(int[] prompt, List<RgbImage> images, int maxTokens) {
        try (LoadedModel m = ModelLoader.load(gguf); VisionModel v = VisionModel.openMmproj(mmproj);
             Generator g = new Generator(m.model(), 512, KvCacheType.F16)) {
            float[][] emb = images.isEmpty() ? null : new ImagePipeline(v, ImageTokenIds.of(tekken)).promptEmbeddings(prompt, images);
            SequenceRequest req = SequenceRequest.of(prompt, SamplingParams.greedy().withMaxTokens(maxTokens)
                    .withStopTokenIds(tekken.eos())).withEmbeddings(emb);
            GenerationResult r = g.generate(req, null);
            return r.tokens();
        }
    }

    static EncodedPrompt encode(ChatMessage... messages) {
        return new PromptEncoder(tekken).encode(ChatRequest.of(messages));
    }

    static ChatMessage.User withImage(RgbImage image, String text) {
        return new ChatMessage.User(List.of(new ContentPart.Image("x", image.width(), image.height()), new ContentPart.Text(text)));
    }

    static int count(int[] tokens, int id) {
        return (int) Arrays.stream(tokens).filter(t -> t == id).count();
    }

    @Test
    void runWithAnImageGivesTheTokensOfTheLibraryPath() {
        CliRun r = run("run", "-m", gguf.toString(), "--image", png.toString(), "--temperature", "0", "--max-tokens", "6",
                "--ctx", "512", "--show-tokens", "What does this chart show?");
        assertEquals(0, r.code(), r.err());
        RgbImage image = new ImageDecoder().decode(png);
        int[] prompt = encode(withImage(image, "What does this chart show?")).tokens();
        assertArrayEquals(prompt, r.ids("prompt tokens").getFirst());
        assertEquals(3 * 2, count(prompt, tekken.specialId(SpecialTokens.IMG)), "84x56 px: 3x2 [IMG] tokens");
        int[] expected = reference(prompt, List.of(image), 6);
        assertArrayEquals(expected, r.ids("answer tokens").getFirst());
        assertEquals(OutputParser.parse(tekken, expected).content() + System.lineSeparator(), r.out());
        // the picture matters: the same prompt without embeddings answers differently on this model
        assertFalse(Arrays.equals(expected, reference(prompt, List.of(), 6)), "image embeddings were not used");
    }

    @Test
    void chatAttachesAnImageToTheNextMessageAndKeepsItInLaterTurns() {
        ChatCommand.input = () -> new ByteArrayInputStream(("/image " + png + "\nWhat is this?\nAnd now?\n/exit\n")
                .getBytes(StandardCharsets.UTF_8));
        CliRun r = run("chat", "-m", gguf.toString(), "--temperature", "0", "--max-tokens", "5", "--ctx", "512", "--show-tokens");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("goes with your next message"), r.err());
        List<int[]> prompts = r.ids("prompt tokens"), answers = r.ids("answer tokens");
        assertEquals(2, prompts.size(), r.err());
        RgbImage image = new ImageDecoder().decode(png);
        ChatMessage.User first = withImage(image, "What is this?");
        assertArrayEquals(encode(first).tokens(), prompts.get(0));
        String answer = OutputParser.parse(tekken, answers.get(0)).content();
        assertFalse(answer.isEmpty());
        int[] second = encode(first, ChatMessage.Assistant.text(answer), ChatMessage.User.text("And now?")).tokens();
        assertArrayEquals(second, prompts.get(1), "turn 2 = v11 encoding of the conversation");
        assertArrayEquals(prompts.get(0), Arrays.copyOf(second, prompts.get(0).length), "turn 2 extends turn 1");
        // the image of turn 1 is embedded again in turn 2
        assertArrayEquals(reference(second, List.of(image), 5), answers.get(1));
        assertEquals(2, r.out().split("\n", -1).length - 1, r.out());
    }

    @Test
    void conversationPromptsExtendThePreviousTurnsTokens() {
        PromptEncoder encoder = new PromptEncoder(tekken);
        Conversation chat = new Conversation(encoder, "be brief");
        ChatMessage.User u1 = ChatMessage.User.text("hello");
        int[] p1 = chat.promptWith(u1).tokens();
        String said = "Hello there, how can I help?";
        int[] answerIds = tekken.encode(said);           // what a model that writes canonical tokens generates
        assertTrue(chat.add(u1, OutputParser.parse(tekken, answerIds)));
        int[] p2 = chat.promptWith(ChatMessage.User.text("tell me more")).tokens();
        int[] turn1 = Arrays.copyOf(p1, p1.length + answerIds.length + 1);
        System.arraycopy(answerIds, 0, turn1, p1.length, answerIds.length);
        turn1[turn1.length - 1] = tekken.eos();
        assertArrayEquals(turn1, Arrays.copyOf(p2, turn1.length));
        assertFalse(chat.add(ChatMessage.User.text("x"), new OutputParser.Result("", List.of())), "empty answers are not kept");
    }

    @Test
    void chatImageWithoutVisionWeightsSaysPassMmprojAndGoesOn() {
        ChatCommand.input = () -> new ByteArrayInputStream(("/image " + png + "\nhello\n").getBytes(StandardCharsets.UTF_8));
        CliRun r = run("chat", "-m", textOnly.toString(), "--temperature", "0", "--max-tokens", "2", "--ctx", "256");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("pass --mmproj"), r.err());
        assertEquals(1, r.out().split("\n", -1).length - 1, r.out());
    }

    @Test
    void imagesWithoutVisionWeightsAreAClearErrorAndMmprojFixesIt() {
        CliRun r = run("run", "-m", textOnly.toString(), "--image", png.toString(), "--max-tokens", "2", "--ctx", "256", "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("pass --mmproj FILE"), r.err());
        CliRun ok = run("run", "-m", textOnly.toString(), "--mmproj", mmproj.toString(), "--image", png.toString(),
                "--temperature", "0", "--max-tokens", "3", "--ctx", "256", "--show-tokens", "hi");
        assertEquals(0, ok.code(), ok.err());
        RgbImage image = new ImageDecoder().decode(png);
        int[] prompt = encode(withImage(image, "hi")).tokens();
        assertArrayEquals(reference(prompt, List.of(image), 3), ok.ids("answer tokens").getFirst());
    }

    @Test
    void badImageGivesTheDecodersMessageWithoutStackTrace() throws IOException {
        Path broken = dir.resolve("broken.png");
        byte[] full = Files.readAllBytes(png);
        Files.write(broken, Arrays.copyOf(full, 40));
        CliRun r = run("run", "-m", gguf.toString(), "--image", broken.toString(), "--ctx", "256", "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("broken.png"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void pdfPagesFromARangeAndTheBudgetError() throws IOException {
        Path pdf = dir.resolve("report.pdf");
        try (PDDocument doc = new PDDocument()) {
            for (int i = 0; i < 3; i++) doc.addPage(new PDPage(new PDRectangle(550, 40)));   // renders to 1540 x 112 px
            doc.save(pdf.toFile());
        }
        int perPage;
        try (var pages = jmistral.image.PdfPages.open(pdf)) {
            perPage = pages.promptTokensForPage(0);
        }
        assertEquals((55 + 1) * 4, perPage);
        CliRun r = run("run", "-m", gguf.toString(), "--file", pdf.toString(), "--pages", "2-3", "--temperature", "0",
                "--max-tokens", "3", "--ctx", "1024", "--show-tokens", "Summarize.");
        assertEquals(0, r.code(), r.err());
        int[] prompt = r.ids("prompt tokens").getFirst();
        assertEquals(2, count(prompt, tekken.specialId(SpecialTokens.IMG_END)), "two pages, two image blocks");
        assertEquals(2 * perPage, count(prompt, tekken.specialId(SpecialTokens.IMG))
                + count(prompt, tekken.specialId(SpecialTokens.IMG_BREAK)) + 2);

        int ctx = 64 + perPage + perPage / 2;     // one page fits beside the text and the answer, not two
        CliRun tooMany = run("run", "-m", gguf.toString(), "--file", pdf.toString(), "--pages", "1-3", "--max-tokens", "4",
                "--ctx", String.valueOf(ctx), "Summarize.");
        assertEquals(1, tooMany.code());
        assertTrue(tooMany.err().contains("1 page(s) fit"), tooMany.err());
        assertFalse(tooMany.err().contains("\tat "), tooMany.err());

        CliRun badRange = run("run", "-m", gguf.toString(), "--file", pdf.toString(), "--pages", "3-1", "Summarize.");
        assertEquals(2, badRange.code());
        assertTrue(badRange.err().contains("runs backwards"), badRange.err());
    }

    @Test
    void theDefaultSystemPromptComesFromSystemPromptTxt() {
        CliRun r = run("run", "-m", withPrompt.toString(), "--temperature", "0", "--max-tokens", "1", "--ctx", "256",
                "--show-tokens", "hi");
        assertEquals(0, r.code(), r.err());
        LocalDate today = LocalDate.now();
        String system = "You are tiny. Today is " + today + ", yesterday was " + today.minusDays(1) + ". {ok}";
        assertArrayEquals(encode(new ChatMessage.System(system), ChatMessage.User.text("hi")).tokens(), r.ids("prompt tokens").getFirst());

        CliRun none = run("run", "-m", withPrompt.toString(), "--no-default-system-prompt", "--max-tokens", "1", "--ctx", "256",
                "--show-tokens", "hi");
        assertArrayEquals(encode(ChatMessage.User.text("hi")).tokens(), none.ids("prompt tokens").getFirst());
        CliRun own = run("run", "-m", withPrompt.toString(), "--system", "be brief", "--max-tokens", "1", "--ctx", "256",
                "--show-tokens", "hi");
        assertArrayEquals(encode(new ChatMessage.System("be brief"), ChatMessage.User.text("hi")).tokens(), own.ids("prompt tokens").getFirst());
    }

    @Test
    void chatWithoutModelOfflineSaysToPullTheDefaultModel(@TempDir Path home) {
        HubSettings.config = () -> HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "1", "HF_HOME", home.toString()));
        ChatCommand.input = () -> new ByteArrayInputStream(new byte[0]);
        CliRun r = run("chat");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(DefaultModels.MISTRAL_SMALL_3_2_REPO), r.err());
        assertTrue(r.err().contains("15.2 GB") && r.err().contains("jmistral pull"), r.err());
        assertTrue(r.err().contains("offline"), r.err());
    }
}
