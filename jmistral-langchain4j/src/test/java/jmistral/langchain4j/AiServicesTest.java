package jmistral.langchain4j;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.tool.ToolExecution;
import dev.langchain4j.service.output.JsonSchemas;
import jmistral.chat.ContentPart;
import jmistral.chat.ImageTokenLayout;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;
import jmistral.tokenizer.ImageConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The models driven the way applications drive them, through {@link AiServices}, on the tiny model:
 * a system message, a tool LangChain4j runs and feeds back, chat memory, a record result, an image.
 * The tiny model's words are noise; what is checked is that every structural promise holds.
 */
class AiServicesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Engine engine;
    private static JMistralChatModel model;

    enum City { PARIS, ROME, OSLO }

    enum Sky { CLEAR, CLOUDY, RAIN }

    /** Every field required (as an application marks them), so the answer cannot be an empty object. */
    record Forecast(@JsonProperty(required = true) City city, @JsonProperty(required = true) Sky sky,
                    @JsonProperty(required = true) boolean windy) {}

    interface WeatherAssistant {
        @dev.langchain4j.service.SystemMessage("You answer questions about the weather. Use the tools.")
        Result<String> chat(String question);
    }

    interface StreamingWeatherAssistant {
        @dev.langchain4j.service.SystemMessage("You answer questions about the weather. Use the tools.")
        TokenStream chat(String question);
    }

    interface ForecastReader {
        @dev.langchain4j.service.SystemMessage("Read the forecast out of the user's text.")
        Result<Forecast> read(String text);
    }

    interface ForecastAgent {
        @dev.langchain4j.service.SystemMessage("Look the weather up with the tool, then give the forecast.")
        Result<Forecast> forecast(String question);
    }

    interface Describer {
        String describe(@dev.langchain4j.service.UserMessage List<Content> contents);
    }

    static final class WeatherTools {
        final List<City> asked = new ArrayList<>();

        @Tool("Today's weather in a city")
        String weather(@P("the city") City city) {
            asked.add(city);
            return "Sunny, 21 degrees in " + city;
        }
    }

    @BeforeAll
    static void open() {
        TinyModel tiny = TinyModel.get();
        engine = Engine.open(EngineOptions.of(tiny.gguf).withMmproj(tiny.mmproj).withContextTokens(4096).withThreads(2));
        model = JMistralChatModel.builder().engine(engine).seed(42L).maxTokens(24).build();
    }

    @AfterAll
    static void close() {
        model.close();         // built on a given engine: leaves it open
        engine.close();
    }

    /** First turn: the model must call a tool; after the results: it must answer in text. */
    private static ChatRequest callThenAnswer(ChatRequest request) {
        boolean afterToolResults = request.messages().getLast() instanceof ToolExecutionResultMessage;
        return request.toBuilder().parameters(request.parameters().overrideWith(ChatRequestParameters.builder()
                .toolChoice(afterToolResults ? ToolChoice.NONE : ToolChoice.REQUIRED).build())).build();
    }

    @Test
    void toolRoundTripWithSystemMessageAndMemory() {
        WeatherTools tools = new WeatherTools();
        MessageWindowChatMemory memory = MessageWindowChatMemory.withMaxMessages(20);
        WeatherAssistant assistant = AiServices.builder(WeatherAssistant.class).chatModel(model).tools(tools)
                .chatMemory(memory).chatRequestTransformer(AiServicesTest::callThenAnswer).build();

        Result<String> result = assistant.chat("What is the weather in Rome?");

        // LangChain4j ran the tool with arguments it could parse (a real enum constant) and fed the result back
        assertFalse(tools.asked.isEmpty(), "the tool was called");
        assertEquals(tools.asked.size(), result.toolExecutions().size());
        assertEquals("Sunny, 21 degrees in " + tools.asked.getFirst(), result.toolExecutions().getFirst().result());
        assertTrue(Set.of(FinishReason.STOP, FinishReason.LENGTH).contains(result.finishReason()), "" + result.finishReason());
        assertNotNull(result.content());

        List<ChatMessage> history = memory.messages();
        assertInstanceOf(SystemMessage.class, history.get(0));
        assertInstanceOf(UserMessage.class, history.get(1));
        AiMessage call = assertInstanceOf(AiMessage.class, history.get(2));
        assertTrue(call.hasToolExecutionRequests());
        assertTrue(call.toolExecutionRequests().getFirst().id().matches("[a-zA-Z0-9]{9}"), call.toString());
        ToolExecutionResultMessage fed = assertInstanceOf(ToolExecutionResultMessage.class, history.get(3));
        assertEquals(call.toolExecutionRequests().getFirst().id(), fed.id());
        AiMessage answer = assertInstanceOf(AiMessage.class, history.getLast());
        assertFalse(answer.hasToolExecutionRequests());
        assertEquals(result.content(), answer.text());
        // the second request carried the first turn, the call and its result: more prompt tokens
        assertTrue(result.finalResponse().tokenUsage().inputTokenCount()
                > result.intermediateResponses().getFirst().tokenUsage().inputTokenCount(), result.tokenUsage().toString());

        // chat memory: a second question is answered with the whole conversation in the prompt
        int before = history.size();
        assistant.chat("And in Oslo?");
        assertTrue(memory.messages().size() >= before + 4, "question, call, result, answer");
    }

    @Test
    void streamingAssistantRunsTheToolsAndGivesTheBlockingAnswer() throws Exception {
        WeatherTools blockingTools = new WeatherTools();
        Result<String> expected = AiServices.builder(WeatherAssistant.class).chatModel(model).tools(blockingTools)
                .chatRequestTransformer(AiServicesTest::callThenAnswer).build().chat("Is it cold in Paris?");

        WeatherTools streamingTools = new WeatherTools();
        JMistralStreamingChatModel streaming = JMistralStreamingChatModel.builder().engine(engine).seed(42L).maxTokens(24).build();
        StringBuilder partials = new StringBuilder();
        List<ToolExecution> executed = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AiServices.builder(StreamingWeatherAssistant.class).streamingChatModel(streaming).tools(streamingTools)
                .chatRequestTransformer(AiServicesTest::callThenAnswer).build()
                .chat("Is it cold in Paris?")
                .onPartialResponse(partials::append).onToolExecuted(executed::add)
                .onCompleteResponse(done::complete).onError(done::completeExceptionally).start();
        ChatResponse last = done.get(120, TimeUnit.SECONDS);

        assertFalse(streamingTools.asked.isEmpty());
        assertEquals(blockingTools.asked, streamingTools.asked, "the same calls with the same arguments");
        assertEquals(expected.toolExecutions().stream().map(ToolExecution::request).toList(),
                executed.stream().map(ToolExecution::request).toList());
        assertEquals(expected.content(), last.aiMessage().text());
        assertEquals(expected.content(), partials.toString(), "the calls stream no text; the answer does");
    }

    @Test
    void recordResultFollowsItsSchema() throws Exception {
        AtomicReference<ChatRequest> sent = new AtomicReference<>();
        ForecastReader reader = AiServices.builder(ForecastReader.class)
                .chatModel(JMistralChatModel.builder().engine(engine).seed(7L).maxTokens(64).build())
                .chatRequestTransformer(r -> { sent.set(r); return r; }).build();

        Result<Forecast> result = reader.read("Rome: clouds all day, strong wind.");

        // the model declared RESPONSE_FORMAT_JSON_SCHEMA, so AiServices sent the record's schema ...
        assertEquals(ResponseFormatType.JSON, sent.get().responseFormat().type());
        assertEquals(JsonSchemas.jsonSchemaFrom(Forecast.class).orElseThrow(), sent.get().responseFormat().jsonSchema());
        // ... and the answer, decoded under it, is JSON valid for it, parsed into the record
        String text = result.finalResponse().aiMessage().text();
        JsonNode json = JSON.readTree(text);
        Schemas.assertValid(sent.get().responseFormat().jsonSchema().rootElement(), json);
        assertEquals(List.of("city", "sky", "windy"),
                ((JsonObjectSchema) sent.get().responseFormat().jsonSchema().rootElement()).required());
        Forecast f = result.content();
        assertEquals(new Forecast(City.valueOf(json.get("city").asText()), Sky.valueOf(json.get("sky").asText()),
                json.get("windy").booleanValue()), f);
    }

    @Test
    void toolsThenARecord() throws Exception {
        WeatherTools tools = new WeatherTools();
        List<ChatRequest> sent = new ArrayList<>();
        JMistralChatModel roomier = JMistralChatModel.builder().engine(engine).seed(42L).maxTokens(96).build();
        ForecastAgent agent = AiServices.builder(ForecastAgent.class).chatModel(roomier).tools(tools)
                .chatRequestTransformer(r -> {
                    sent.add(r);
                    return callThenAnswer(r);
                }).build();

        Result<Forecast> result = agent.forecast("Will it rain in Oslo?");

        assertFalse(tools.asked.isEmpty(), "the tool was called");
        assertEquals(2, sent.size());
        // the answering turn still offered the tool and asked for the record's schema at once
        ChatRequest later = sent.getLast();
        assertFalse(later.toolSpecifications().isEmpty());
        assertEquals(ResponseFormatType.JSON, later.responseFormat().type());
        String text = result.finalResponse().aiMessage().text();
        JsonNode json = JSON.readTree(text);
        Schemas.assertValid(later.responseFormat().jsonSchema().rootElement(), json);
        assertEquals(new Forecast(City.valueOf(json.get("city").asText()), Sky.valueOf(json.get("sky").asText()),
                json.get("windy").booleanValue()), result.content());
    }

    @Test
    void imageMessage() throws IOException {
        BufferedImage picture = new BufferedImage(70, 42, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 42; y++) for (int x = 0; x < 70; x++) picture.setRGB(x, y, (x * 3 << 16) | (y * 5 << 8) | 128);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        String base64 = Base64.getEncoder().encodeToString(png.toByteArray());
        Path file = Files.createTempFile("picture", ".png");
        Files.write(file, png.toByteArray());

        UserMessage withBase64 = UserMessage.from(TextContent.from("What is in this picture?"), ImageContent.from(base64, "image/png"));
        UserMessage withFile = UserMessage.from(TextContent.from("What is in this picture?"), ImageContent.from(file.toUri()));
        ChatResponse fromBase64 = model.chat(withBase64);
        ChatResponse fromFile = model.chat(withFile);
        ChatResponse textOnly = model.chat(UserMessage.from("What is in this picture?"));

        // the image is in the prompt: exactly its token layout ([IMG] rows, [IMG_BREAK]s, [IMG_END]) more
        int imageTokens = ImageTokenLayout.of(70, 42, ImageConfig.MISTRAL_SMALL_3).tokenCount();
        assertEquals(textOnly.tokenUsage().inputTokenCount() + imageTokens, fromBase64.tokenUsage().inputTokenCount());
        // base64 and file URI are the same pixels, so the same answer
        assertEquals(fromBase64.aiMessage().text(), fromFile.aiMessage().text());
        // and the same as the engine's answer for the image given as chat types directly
        var direct = engine.chat(new jmistral.chat.ChatRequest(List.of(new jmistral.chat.ChatMessage.User(List.of(
                        new ContentPart.Text("What is in this picture?"), ContentPart.Image.read(file)))), List.of(), false,
                jmistral.chat.ChatOptions.DEFAULTS.withSeed(42L).withMaxTokens(24))).response();
        assertEquals(direct.text(), fromBase64.aiMessage().text());

        // through AiServices: a method whose user message is the text and the image
        Describer describer = AiServices.builder(Describer.class).chatModel(model).build();
        assertEquals(fromBase64.aiMessage().text(), describer.describe(withBase64.contents()));
        Files.delete(file);
    }

    @Test
    void toolSpecificationsFromAnnotatedMethodsAreWhatTheModelSees() {
        var spec = ToolSpecifications.toolSpecificationsFrom(WeatherTools.class).getFirst();
        var tool = MessageMapping.tools(List.of(spec)).getFirst();
        assertEquals("weather", tool.name());
        assertEquals("Today's weather in a city", tool.description());
        assertEquals("[\"PARIS\",\"ROME\",\"OSLO\"]", tool.parameters().at("/properties/city/enum").toString());
    }
}
