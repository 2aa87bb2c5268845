package jmistral.server.engine;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** LangChain4j's OpenAI model pointed at the server: plain, streaming, and a forced tool call. */
class LangChain4jClientTest {
    private final SynthServer s = SynthServer.get();

    private OpenAiChatModel model() {
        return OpenAiChatModel.builder().baseUrl(s.baseUrl() + "/v1").apiKey(SynthServer.API_KEY)
                .modelName("jmistral-synth").temperature(0.0).maxTokens(10).parallelToolCalls(false).build();
    }

    @Test
    void plainChat() {
        ChatResponse r = model().chat(ChatRequest.builder().messages(UserMessage.from("Hello from Java")).build());
        assertNotNull(r.aiMessage().text());
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
        assertTrue(r.tokenUsage().outputTokenCount() <= 10);
        assertTrue(r.finishReason() == FinishReason.LENGTH || r.finishReason() == FinishReason.STOP, "" + r.finishReason());
    }

    @Test
    void streamingGivesTheSameTextAsPlain() throws Exception {
        String plain = model().chat("Stream me something");
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(s.baseUrl() + "/v1")
                .apiKey(SynthServer.API_KEY).modelName("jmistral-synth").temperature(0.0).maxTokens(10).build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Stream me something", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { parts.append(partial); }
            @Override public void onCompleteResponse(ChatResponse response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals(plain, r.aiMessage().text());
        assertEquals(plain, parts.toString());
    }

    @Test
    void forcedToolCallHasValidArguments() {
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather for a city")
                .parameters(JsonObjectSchema.builder().addEnumProperty("city", List.of("Paris", "Rome", "Oslo"))
                        .addBooleanProperty("celsius").required("city", "celsius").build())
                .build();
        ChatResponse r = OpenAiChatModel.builder().baseUrl(s.baseUrl() + "/v1").apiKey(SynthServer.API_KEY)
                .modelName("jmistral-synth").maxTokens(48).parallelToolCalls(false).build()
                .chat(ChatRequest.builder().messages(UserMessage.from("Weather in Rome?"))
                        .toolSpecifications(weather).toolChoice(ToolChoice.REQUIRED).build());
        assertTrue(r.aiMessage().hasToolExecutionRequests(), r.toString());
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().getFirst();
        assertEquals("get_weather", call.name());
        assertTrue(call.id().matches("[a-zA-Z0-9]{9}"), call.id());
        assertTrue(call.arguments().matches("\\{\"city\": ?\"(Paris|Rome|Oslo)\", ?\"celsius\": ?(true|false)}"), call.arguments());
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
    }
}
