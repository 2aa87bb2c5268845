package jmistral.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The blocking and the streaming model on one engine: the same answers, tool calls held to their schemas. */
class ChatModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Engine engine;
    private static JMistralChatModel blocking;
    private static JMistralStreamingChatModel streaming;

    /** Every JSON type the compiler bounds: enums, integers, booleans, a short string, nested objects, arrays. */
    static final ToolSpecification BOOK = ToolSpecification.builder().name("book_trip").description("Books a trip")
            .parameters(JsonObjectSchema.builder()
                    .addProperty("city", JsonEnumSchema.builder().enumValues("Paris", "Rome", "Oslo").build())
                    .addIntegerProperty("nights")
                    .addBooleanProperty("breakfast")
                    .addProperty("code", JsonRawSchema.from("{\"type\": \"string\", \"maxLength\": 6}"))
                    .addProperty("room", JsonObjectSchema.builder()
                            .addProperty("bed", JsonEnumSchema.builder().enumValues("single", "double").build())
                            .addBooleanProperty("quiet").required("bed", "quiet").build())
                    .addProperty("extras", JsonArraySchema.builder()
                            .items(JsonEnumSchema.builder().enumValues("parking", "late_checkout").build()).build())
                    .required("city", "nights", "breakfast", "code", "room", "extras")
                    .build())
            .build();

    static final ToolSpecification PING = ToolSpecification.builder().name("ping").description("Checks the line").build();

    @BeforeAll
    static void open() {
        TinyModel tiny = TinyModel.get();
        engine = Engine.open(EngineOptions.of(tiny.gguf).withContextTokens(4096).withThreads(2));
        blocking = JMistralChatModel.builder().engine(engine).temperature(0.9).seed(1234L).maxTokens(32).build();
        streaming = JMistralStreamingChatModel.builder().engine(engine).temperature(0.9).seed(1234L).maxTokens(32).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Collects what the streaming model delivers. */
    static final class Collected implements StreamingChatResponseHandler {
        final StringBuilder text = new StringBuilder();
        final List<PartialToolCall> partialCalls = new ArrayList<>();
        final List<CompleteToolCall> completeCalls = new ArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override public void onPartialResponse(String partial) { text.append(partial); }
        @Override public void onPartialToolCall(PartialToolCall call) { partialCalls.add(call); }
        @Override public void onCompleteToolCall(CompleteToolCall call) { completeCalls.add(call); }
        @Override public void onCompleteResponse(ChatResponse response) { done.complete(response); }
        @Override public void onError(Throwable error) { done.completeExceptionally(error); }

        ChatResponse await() throws Exception { return done.get(120, TimeUnit.SECONDS); }
    }

    @Test
    void streamingGivesTheBlockingAnswerForTheSameSeed() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me a story about the sea.")).build();
        ChatResponse expected = blocking.chat(request);
        Collected c = new Collected();
        streaming.chat(request, c);
        ChatResponse streamed = c.await();

        assertFalse(expected.aiMessage().text().isEmpty());
        assertEquals(expected.aiMessage().text(), streamed.aiMessage().text());
        assertEquals(expected.aiMessage().text(), c.text.toString(), "the partial responses add up to the answer");
        assertEquals(expected.tokenUsage(), streamed.tokenUsage());
        assertEquals(expected.finishReason(), streamed.finishReason());
        assertTrue(expected.tokenUsage().outputTokenCount() <= 32 + 1);
        // another seed, another answer: the seed is what made them equal
        ChatResponse other = JMistralChatModel.builder().engine(engine).temperature(0.9).seed(99L).maxTokens(32).build().chat(request);
        assertNotEquals(expected.aiMessage().text(), other.aiMessage().text());
    }

    @Test
    void forcedToolCallsAlwaysParseAndValidate() throws Exception {
        for (long seed = 1; seed <= 6; seed++) {
            ChatResponse r = JMistralChatModel.builder().engine(engine).temperature(1.0).seed(seed).maxTokens(200).build()
                    .chat(ChatRequest.builder().messages(UserMessage.from("Book me something, seed " + seed))
                            .toolSpecifications(BOOK, PING).toolChoice(ToolChoice.REQUIRED).build());
            assertTrue(r.aiMessage().hasToolExecutionRequests(), "seed " + seed + ": " + r);
            assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason(), "seed " + seed);
            for (ToolExecutionRequest call : r.aiMessage().toolExecutionRequests()) {
                assertTrue(call.id().matches("[a-zA-Z0-9]{9}"), call.id());
                JsonNode args = JSON.readTree(call.arguments());
                switch (call.name()) {
                    case "book_trip" -> Schemas.assertValid(BOOK.parameters(), args);
                    case "ping" -> assertTrue(args.isObject() && args.isEmpty(), call.arguments());
                    default -> fail("seed " + seed + ": a call to an unknown tool " + call.name());
                }
            }
        }
    }

    @Test
    void streamedToolCallsAddUpToTheBlockingOnes() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Book a trip to Oslo"))
                .toolSpecifications(BOOK).toolChoice(ToolChoice.REQUIRED).maxOutputTokens(200).build();
        ChatResponse expected = blocking.chat(request);
        Collected c = new Collected();
        streaming.chat(request, c);
        ChatResponse streamed = c.await();

        assertEquals(expected.aiMessage(), streamed.aiMessage());
        List<ToolExecutionRequest> calls = expected.aiMessage().toolExecutionRequests();
        assertEquals(calls.size(), c.completeCalls.size());
        for (int i = 0; i < calls.size(); i++) {
            int index = i;
            assertEquals(calls.get(i), c.completeCalls.get(i).toolExecutionRequest());
            String fragments = c.partialCalls.stream().filter(p -> p.index() == index).map(PartialToolCall::partialArguments)
                    .reduce("", String::concat);
            assertEquals(calls.get(i).arguments(), fragments.strip(), "the partial tool calls add up to the arguments");
            assertTrue(c.partialCalls.stream().filter(p -> p.index() == index).allMatch(p -> p.name().equals("book_trip")));
        }
    }

    @Test
    void stopSequencesEndTheAnswerBeforeThem() {
        ChatRequest free = ChatRequest.builder().messages(UserMessage.from("Count for me")).maxOutputTokens(32).build();
        String full = blocking.chat(free).aiMessage().text();
        assertTrue(full.length() > 4, full);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        ChatResponse stopped = blocking.chat(free.toBuilder().stopSequences(List.of(stop)).build());
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.aiMessage().text());
        assertEquals(FinishReason.STOP, stopped.finishReason());
    }

    @Test
    void cancellingFromTheHandlerStopsTheStream() throws Exception {
        List<String> partials = new ArrayList<>();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        CompletableFuture<Object> after = new CompletableFuture<>();
        JMistralStreamingChatModel longer = JMistralStreamingChatModel.builder().engine(engine).seed(5L).maxTokens(2000).build();
        longer.chat(ChatRequest.builder().messages(UserMessage.from("Write a long essay")).build(), new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                partials.add(partial.text());
                if (partials.size() == 3) {
                    context.streamingHandle().cancel();
                    assertTrue(context.streamingHandle().isCancelled());
                    cancelled.complete(null);
                } else if (partials.size() > 3) {
                    after.complete("a partial response after cancel");
                }
            }
            @Override public void onCompleteResponse(ChatResponse r) { after.complete(r); }
            @Override public void onError(Throwable e) { after.complete(e); }
        });
        cancelled.get(120, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertFalse(after.isDone(), "nothing is delivered after a cancel: " + after.getNow(null));
        assertEquals(3, partials.size());
        // the engine is free for the next request
        assertNotNull(blocking.chat("Still there?"));
    }

    @Test
    void aHandlerThatThrowsAbandonsTheStreamAndHearsWhy() throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        int[] partials = {0};
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("Hello")).build(), new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) {
                partials[0]++;
                throw new IllegalStateException("the reader went away");
            }
            @Override public void onCompleteResponse(ChatResponse r) { error.completeExceptionally(new AssertionError("completed")); }
            @Override public void onError(Throwable e) { error.complete(e); }
        });
        assertEquals("the reader went away", error.get(120, TimeUnit.SECONDS).getMessage());
        assertEquals(1, partials[0]);
    }
}
