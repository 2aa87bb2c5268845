package jmistral.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.message.VideoContent;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ContentPart;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** LangChain4j's request as the chat package's: every part that maps, and a clear error for each that does not. */
class RequestMappingTest {

    private static jmistral.chat.ChatRequest map(ChatRequest r) {
        return RequestMapping.map(r, 11L);
    }

    @Test
    void messagesOfEveryRole() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("abcDEF123").name("weather").arguments("{\"city\": \"Rome\"}").build();
        var mapped = map(ChatRequest.builder().messages(
                SystemMessage.from("Be brief."),
                UserMessage.from("Weather in Rome?"),
                AiMessage.from(call),
                ToolExecutionResultMessage.from(call, "sunny"),
                AiMessage.from("It is sunny."),
                UserMessage.from(TextContent.from("Thanks"), TextContent.from("!"))).build());
        assertEquals(List.of(
                new ChatMessage.System("Be brief."),
                ChatMessage.User.text("Weather in Rome?"),
                new ChatMessage.Assistant(null, List.of(new jmistral.chat.ToolCall("abcDEF123", "weather", "{\"city\": \"Rome\"}")), false),
                new ChatMessage.Tool("abcDEF123", "weather", "sunny"),
                ChatMessage.Assistant.text("It is sunny."),
                new ChatMessage.User(List.of(new ContentPart.Text("Thanks"), new ContentPart.Text("!")))), mapped.messages());
        assertEquals(11L, mapped.options().seed());
    }

    @Test
    void parametersBecomeOptions() {
        var spec = dev.langchain4j.agent.tool.ToolSpecification.builder().name("ping").build();
        JsonSchema schema = JsonSchema.builder().name("answer").rootElement(JsonObjectSchema.builder().addStringProperty("a").build()).build();
        ChatOptions o = map(ChatRequest.builder().messages(UserMessage.from("hi")).temperature(0.3).topP(0.9).topK(40)
                .frequencyPenalty(0.5).presencePenalty(-0.5).maxOutputTokens(77).stopSequences(List.of("END"))
                .toolSpecifications(spec).toolChoice(ToolChoice.REQUIRED)
                .responseFormat(ResponseFormat.builder().type(dev.langchain4j.model.chat.request.ResponseFormatType.JSON).jsonSchema(schema).build())
                .build()).options();
        assertEquals(0.3, o.temperature());
        assertEquals(0.9, o.topP());
        assertEquals(40, o.topK());
        assertEquals(0.5, o.frequencyPenalty());
        assertEquals(-0.5, o.presencePenalty());
        assertEquals(77, o.maxTokens());
        assertEquals(List.of("END"), o.stop());
        assertEquals(jmistral.chat.ToolChoice.REQUIRED, o.toolChoice());
        assertEquals(jmistral.chat.ResponseFormat.Type.JSON_SCHEMA, o.responseFormat().type());
        assertEquals("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[]}", o.responseFormat().schema().toString());

        ChatOptions json = map(ChatRequest.builder().messages(UserMessage.from("hi")).responseFormat(ResponseFormat.JSON).build()).options();
        assertEquals(jmistral.chat.ResponseFormat.JSON_OBJECT, json.responseFormat());
        ChatOptions none = map(ChatRequest.builder().messages(UserMessage.from("hi")).toolSpecifications(spec).toolChoice(ToolChoice.NONE).build()).options();
        assertEquals(jmistral.chat.ToolChoice.NONE, none.toolChoice());
    }

    @Test
    void pdfPagesBecomeImages() throws Exception {
        ByteArrayOutputStream pdf = new ByteArrayOutputStream();
        try (PDDocument doc = new PDDocument()) {
            doc.addPage(new PDPage(PDRectangle.A6));
            doc.addPage(new PDPage(new PDRectangle(200, 100)));
            doc.save(pdf);
        }
        var user = (ChatMessage.User) map(ChatRequest.builder().messages(UserMessage.from(TextContent.from("Summarize"),
                PdfFileContent.from(Base64.getEncoder().encodeToString(pdf.toByteArray()), "application/pdf"))).build()).messages().getFirst();
        assertEquals(3, user.content().size());
        var page1 = assertInstanceOf(ContentPart.Image.class, user.content().get(1));
        var page2 = assertInstanceOf(ContentPart.Image.class, user.content().get(2));
        assertNotNull(page1.pixels());
        assertEquals(2.0, (double) page2.width() / page2.height(), 0.02, "the second page is twice as wide as high");
    }

    private static String refusal(Class<? extends RuntimeException> type, dev.langchain4j.data.message.ChatMessage... messages) {
        return assertThrows(type, () -> map(ChatRequest.builder().messages(messages).build())).getMessage();
    }

    @Test
    void whatTheFormatCannotHoldIsRefusedNamingIt() {
        assertEquals("messages[1].contents[1] is AUDIO content; jmistral reads text, images (ImageContent) and PDF files (PdfFileContent)",
                refusal(UnsupportedFeatureException.class, SystemMessage.from("s"),
                        UserMessage.from(TextContent.from("listen"), AudioContent.from("AAAA", "audio/wav"))));
        assertTrue(refusal(UnsupportedFeatureException.class, UserMessage.from(VideoContent.from("AAAA", "video/mp4")))
                .startsWith("messages[0].contents[0] is VIDEO content"));
        assertEquals("messages[0] is a CUSTOM message; jmistral takes system, user, AI and tool execution result messages",
                refusal(UnsupportedFeatureException.class, CustomMessage.from(Map.of("k", "v"))));
        assertEquals("messages[0].contents[0] is at https://example.com/cat.png: jmistral runs in-process and does not fetch "
                + "https URLs; give the bytes as base64 or a file: URI",
                refusal(UnsupportedFeatureException.class, UserMessage.from(ImageContent.from("https://example.com/cat.png"))));
        assertTrue(refusal(InvalidRequestException.class, UserMessage.from(ImageContent.from("bm90IGFuIGltYWdl", "image/png")))
                .startsWith("the image at messages[0].contents[0] cannot be decoded"));
        ToolExecutionResultMessage withImage = ToolExecutionResultMessage.builder().id("abcDEF123").toolName("draw")
                .contents(List.of(ImageContent.from("AAAA", "image/png"))).build();
        assertTrue(refusal(UnsupportedFeatureException.class, UserMessage.from("hi"), withImage)
                .startsWith("messages[1] (the result of tool 'draw') holds IMAGE content"));
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        String required = assertThrows(InvalidRequestException.class, () -> map(ChatRequest.builder()
                .messages(UserMessage.from("hi")).toolChoice(ToolChoice.REQUIRED).build())).getMessage();
        assertEquals("ToolChoice.REQUIRED needs at least one tool specification", required);
        String temperature = assertThrows(InvalidRequestException.class, () -> map(ChatRequest.builder()
                .messages(UserMessage.from("hi")).temperature(3.0).build())).getMessage();
        assertTrue(temperature.contains("temperature"), temperature);
    }
}
