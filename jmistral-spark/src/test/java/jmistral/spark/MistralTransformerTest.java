package jmistral.spark;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SamplingParams;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.tokenizer.Tekken;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real local[2] Spark session over a small synthetic model with the real vocabulary (one session for all classes). */
class MistralTransformerTest {
    static final List<String> PROMPTS = List.of("What is the capital of France?", "Write a haiku about Spark.",
            "2 + 2 =", "Translate 'bonjour' to English.", "List three prime numbers.", "Name a colour.");
    static final StructType INPUT = new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
            .add("image", DataTypes.BinaryType).add("schema", DataTypes.StringType);

    static final String SCHEMA = """
            {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]},
             "score": {"type": "integer", "minimum": 0, "maximum": 9}},
             "required": ["answer", "score"], "additionalProperties": false}""";

    @TempDir static Path dir;
    static final SparkSession spark = SparkTestSession.get().spark();
    static final Tekken tekken = SparkTestSession.get().tekken();
    static final Path modelFile = SparkTestSession.get().model();

    static Dataset<Row> prompts() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) rows.add(RowFactory.create(i, PROMPTS.get(i), null, null));
        return spark.createDataFrame(rows, INPUT).repartition(2);
    }

    MistralTransformer mistral() {
        return new MistralTransformer().setModel(modelFile.toString()).setInputCol("prompt")
                .setMaxTokens(8).setTemperature(0.8).setSeed(42).setBatchSize(4).setMaxContext(256);
    }

    static int promptTokens(ChatRequest chat) {
        return new PromptEncoder(tekken).encode(chat).tokens().length;
    }

    @Test
    void everyRowGetsAllAnswerColumns() {
        List<Row> out = mistral().setSystemPrompt("Be brief.").transform(prompts()).orderBy("id").collectAsList();
        assertEquals(PROMPTS.size(), out.size());
        for (Row r : out) {
            String prompt = r.getAs("prompt");
            assertNull(r.getAs("error"), () -> "row " + r);
            String reason = r.getAs("finish_reason");
            assertTrue(Set.of("stop", "length", "tool_calls", "loop").contains(reason), reason);
            assertNotNull(r.getAs("text"));
            assertNotNull(r.getList(r.fieldIndex("tool_calls")));
            assertEquals(reason.equals("tool_calls"), !r.getList(r.fieldIndex("tool_calls")).isEmpty());
            int expectedPrompt = promptTokens(ChatRequest.of(new ChatMessage.System("Be brief."), ChatMessage.User.text(prompt)));
            assertEquals(expectedPrompt, (int) r.<Integer>getAs("prompt_tokens"), prompt);
            int completion = r.getAs("completion_tokens");
            assertTrue(completion >= 1 && completion <= 8, "completion_tokens " + completion);
            if (reason.equals("length")) assertEquals(8, completion);
        }
        assertEquals(1, ExecutorModels.loadCount(), "the model is loaded once per JVM");
    }

    /** Reference: the same model run alone through core's Generator, greedy; one row per batch gives the same steps. */
    @Test
    void greedyAnswersMatchCoreGenerator() {
        List<Row> out = mistral().setTemperature(0).setMaxTokens(8).setBatchSize(1).transform(prompts().limit(3))
                .orderBy("id").collectAsList();
        assertEquals(3, out.size());
        try (LoadedModel m = ModelLoader.load(modelFile)) {
            for (Row r : out) {
                int[] prompt = new PromptEncoder(tekken).encode(ChatRequest.of(ChatMessage.User.text(r.getAs("prompt")))).tokens();
                GenerationResult ref;
                try (Generator g = new Generator(m.model(), 256, KvCacheType.F16)) {
                    ref = g.generate(prompt, SamplingParams.greedy().withMaxTokens(8).withStopTokenIds(tekken.eos()));
                }
                OutputParser.Result parsed = OutputParser.parse(tekken, ref.tokens());
                assertEquals(parsed.content(), r.getAs("text"), "row " + r.getAs("id"));
                assertEquals(ref.usage().completionTokens(), (int) r.<Integer>getAs("completion_tokens"));
                assertEquals(prompt.length, (int) r.<Integer>getAs("prompt_tokens"));
            }
        }
        assertEquals(1, ExecutorModels.loadCount());
    }

    @Test
    void sameSeedSameAnswersOtherSeedOtherAnswers() {
        List<Row> a = mistral().transform(prompts()).orderBy("id").collectAsList();
        List<Row> b = mistral().transform(prompts()).orderBy("id").collectAsList();
        assertEquals(a, b);
        List<Row> c = mistral().setSeed(43).transform(prompts()).orderBy("id").collectAsList();
        assertNotEquals(a.stream().map(r -> r.getAs("text")).toList(), c.stream().map(r -> r.getAs("text")).toList());
    }

    @Test
    void aFailingRowGetsAnErrorAndTheOthersAnAnswer() {
        String longPrompt = "word ".repeat(400);
        List<Row> rows = List.of(
                RowFactory.create(0, "Hello!", null, null),
                RowFactory.create(1, null, null, null),                                              // no prompt
                RowFactory.create(2, longPrompt, null, null),                                        // > maxContext
                RowFactory.create(3, "Describe it.", "not an image".getBytes(StandardCharsets.UTF_8), null),
                RowFactory.create(4, "Answer in JSON.", null, "{\"type\": \"object\", \"properties\": "),
                RowFactory.create(5, "Good bye!", null, null));
        Dataset<Row> df = spark.createDataFrame(rows, INPUT).repartition(1);
        List<Row> out = mistral().setImageCol("image").setSchemaCol("schema").transform(df).orderBy("id").collectAsList();
        assertNull(out.get(0).getAs("error"));
        assertNull(out.get(5).getAs("error"));
        assertNotNull(out.get(5).getAs("text"));
        assertError(out.get(1), "prompt is null");
        assertError(out.get(2), "prompt too long");
        assertTrue(out.get(2).<Integer>getAs("prompt_tokens") > 256);
        assertError(out.get(3), "cannot be decoded");
        assertError(out.get(4), "bad JSON schema");
    }

    static void assertError(Row r, String expected) {
        String e = r.getAs("error");
        assertNotNull(e, () -> "row " + r + " should fail");
        assertTrue(e.contains(expected), () -> "error '" + e + "' should say " + expected);
        assertEquals("error", r.getAs("finish_reason"));
        assertNull(r.getAs("text"));
        assertNull(r.getAs("completion_tokens"));
    }

    @Test
    void structuredOutputFollowsTheSchema() throws Exception {
        List<Row> out = mistral().setResponseSchema(SCHEMA).setMaxTokens(32).setTemperature(1.0)
                .transform(prompts()).collectAsList();
        ObjectMapper json = new ObjectMapper();
        for (Row r : out) {
            assertNull(r.getAs("error"));
            assertEquals("stop", r.getAs("finish_reason"), () -> "constrained answer should end itself: " + r);
            JsonNode v = json.readTree(r.<String>getAs("text"));
            assertEquals(Set.of("answer", "score"), Set.copyOf(iterable(v.fieldNames())), v.toString());
            assertTrue(Set.of("yes", "no").contains(v.get("answer").textValue()), v.toString());
            assertTrue(v.get("score").isInt() && v.get("score").intValue() >= 0 && v.get("score").intValue() <= 9, v.toString());
        }
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void messagesColumnIsEncodedAsAChat() {
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("chat", DataTypes.createArrayType(message));
        List<Row> rows = List.of(
                RowFactory.create(0, List.of(RowFactory.create("system", "You are terse."), RowFactory.create("user", "Hi"))),
                RowFactory.create(1, List.of(RowFactory.create("user", "Hi"), RowFactory.create("assistant", "Hello"),
                        RowFactory.create("user", "Bye"))),
                RowFactory.create(2, List.of(RowFactory.create("wizard", "Hi"))));
        List<Row> out = mistral().setMessagesCol("chat").transform(spark.createDataFrame(rows, schema)).orderBy("id").collectAsList();
        assertEquals(promptTokens(ChatRequest.of(new ChatMessage.System("You are terse."), ChatMessage.User.text("Hi"))),
                (int) out.get(0).<Integer>getAs("prompt_tokens"));
        assertEquals(promptTokens(ChatRequest.of(ChatMessage.User.text("Hi"), ChatMessage.Assistant.text("Hello"),
                ChatMessage.User.text("Bye"))), (int) out.get(1).<Integer>getAs("prompt_tokens"));
        assertError(out.get(2), "wizard");
    }

    @Test
    void savedPipelineLoadsWithItsParamsAndGivesTheSameAnswers() throws Exception {
        MistralTransformer t = mistral().setSystemPrompt("Be brief.").setResponseSchema(SCHEMA).setTopP(0.9);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {t}).fit(prompts());
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        MistralTransformer back = (MistralTransformer) loaded.stages()[0];
        assertEquals(t.uid(), back.uid());
        assertEquals(t.options(), back.options());
        assertEquals(fitted.transform(prompts()).orderBy("id").collectAsList(),
                loaded.transform(prompts()).orderBy("id").collectAsList());
        assertEquals(t.options(), MistralTransformer.load(dir.resolve("pipeline/stages/0_" + t.uid()).toString()).options());
    }

    @Test
    void badSettingsFailOnTheDriverWithAClearMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> mistral().setInputCol("question").transform(prompts()));
        assertTrue(e.getMessage().contains("'question' is not a column"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mistral().setResponseSchema("{").transform(prompts()));
        assertTrue(e.getMessage().startsWith("responseSchema"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MistralTransformer().transform(prompts()));
        assertTrue(e.getMessage().contains("setModel"), e.getMessage());
    }
}
