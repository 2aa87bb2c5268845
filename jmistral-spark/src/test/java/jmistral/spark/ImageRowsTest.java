package jmistral.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SamplingParams;
import jmistral.generate.SequenceRequest;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.model.vision.VisionModel;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;
import jmistral.image.ImageDecoder;
import jmistral.image.RgbImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * Rows with an image (binary column, as the binaryFile source gives it) go through the vision tower
 * found beside the model. The yardstick is core's direct path: PromptEncoder, ImagePipeline and a
 * Generator called without Spark, greedy.
 */
class ImageRowsTest {
    static final SparkTestSession.Shared S = SparkTestSession.get();
    static final Tekken tekken = S.tekken();
    static final String QUESTION = "What does this chart show?";

    static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.setRGB(x, y, ((7 * x + 3 * y) % 256) << 16 | ((2 * x + 11 * y + 80) % 256) << 8 | ((x * x + y) % 256));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    MistralTransformer mistral() {
        return new MistralTransformer().setModel(S.model().toString()).setInputCol("prompt").setImageCol("image")
                .setTemperature(0).setMaxTokens(6).setBatchSize(1).setMaxContext(256);
    }

    List<Row> run(MistralTransformer t, Row... rows) {
        return t.transform(S.spark().createDataFrame(List.of(rows), MistralTransformerTest.INPUT).repartition(1))
                .orderBy("id").collectAsList();
    }

    /** Greedy tokens on core's path: image embeddings at the [IMG] runs of the prompt. */
    static int[] reference(int[] prompt, RgbImage image, int maxTokens) {
        try (LoadedModel m = ModelLoader.load(S.model()); VisionModel v = VisionModel.openMmproj(S.mmproj());
             Generator g = new Generator(m.model(), 256, KvCacheType.F16)) {
            float[][] emb = image == null ? null : new ImagePipeline(v, ImageTokenIds.of(tekken)).promptEmbeddings(prompt, List.of(image));
            SequenceRequest req = SequenceRequest.of(prompt, SamplingParams.greedy().withMaxTokens(maxTokens)
                    .withStopTokenIds(tekken.eos())).withEmbeddings(emb);
            GenerationResult r = g.generate(req, null);
            return r.tokens();
        }
    }

    @Test
    void anImageRowIsAnsweredLikeCoresDirectPath() throws IOException {
        byte[] png = png(84, 56);
        Row out = run(mistral(), RowFactory.create(0, QUESTION, png, null)).getFirst();
        assertNull(out.getAs("error"), () -> "row " + out);

        RgbImage image = new ImageDecoder().decode(png, "png");
        int[] prompt = new PromptEncoder(tekken).encode(ChatRequest.of(new ChatMessage.User(List.of(
                new ContentPart.Image("x", 84, 56), new ContentPart.Text(QUESTION))))).tokens();
        int textOnly = new PromptEncoder(tekken).encode(ChatRequest.of(ChatMessage.User.text(QUESTION))).tokens().length;
        assertEquals(6, Arrays.stream(prompt).filter(t -> t == tekken.specialId(SpecialTokens.IMG)).count(), "84x56 px: 3x2 [IMG]");
        assertEquals(prompt.length, (int) out.<Integer>getAs("prompt_tokens"));
        assertEquals(textOnly + 2 * (3 + 1), prompt.length, "two rows of 3 [IMG] + [IMG_BREAK]/[IMG_END]");

        int[] expected = reference(prompt, image, 6);
        assertEquals(OutputParser.parse(tekken, expected).content(), out.getAs("text"));
        assertEquals(expected.length, (int) out.<Integer>getAs("completion_tokens"));
        assertFalse(Arrays.equals(expected, reference(prompt, null, 6)), "the image embeddings change the answer");
        assertEquals(1, ExecutorModels.visionLoadCount(), "the vision tower is opened once per JVM");
    }

    @Test
    void badImagesAndMissingVisionWeightsAreErrorRows() throws IOException {
        byte[] png = png(28, 28);
        List<Row> out = run(mistral(),
                RowFactory.create(0, "Describe it.", Arrays.copyOf(png, 40), null),          // truncated PNG
                RowFactory.create(1, "word ".repeat(400), png, null),                         // > maxContext
                RowFactory.create(2, "No picture here.", null, null),
                RowFactory.create(3, "Describe it.", png, null));
        MistralTransformerTest.assertError(out.get(0), "cannot be decoded");
        MistralTransformerTest.assertError(out.get(1), "prompt too long");
        assertNull(out.get(2).getAs("error"));
        assertNull(out.get(3).getAs("error"));

        List<Row> missing = run(mistral().setMmproj(S.dir().resolve("nowhere.gguf").toString()),
                RowFactory.create(0, "Describe it.", png, null), RowFactory.create(1, "Hi", null, null));
        MistralTransformerTest.assertError(missing.get(0), "does not exist");
        assertNull(missing.get(1).getAs("error"), "rows without images need no vision weights");
    }
}
