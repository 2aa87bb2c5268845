package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.bench.SynthGguf;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.PromptEncoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** OpenAI/Mistral request JSON -> the chat package's request: ids, safety and default system prompts, images. */
class ChatRequestMappingTest {
    private final ObjectMapper json = new ObjectMapper();

    private ChatCompletionRequest parse(String body) {
        return new ChatRequestParser(json).parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void openAiToolCallIdsKeepTheirLastNineCharactersOnCallAndResult() {
        ChatRequest r = parse("""
                {"messages":[{"role":"user","content":"w?"},
                 {"role":"assistant","tool_calls":[{"id":"call_123456789abcdefgh","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_123456789abcdefgh","content":"ok"}]}""").chat();
        ChatRequest nine = parse("""
                {"messages":[{"role":"user","content":"w?"},
                 {"role":"assistant","tool_calls":[{"id":"9abcdefgh","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"9abcdefgh","content":"ok"}]}""").chat();
        // the one rule lives in the prompt encoder: the prompt holds the last 9 characters, on call and result
        PromptEncoder encoder = new PromptEncoder(SynthGguf.tekken());
        assertArrayEquals(encoder.encode(nine).tokens(), encoder.encode(r).tokens());
    }

    @Test
    void safePromptGoesBeforeTheSystemPromptAndTheDefaultOnlyWhenThereIsNone() {
        var plain = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").withSystemPrompts("DEFAULT SYSTEM");
        assertEquals(new ChatMessage.System("DEFAULT SYSTEM"), plain.chat().messages().getFirst());
        assertEquals(1, plain.insertedMessages());

        var own = parse("{\"safe_prompt\":true,\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}]}")
                .withSystemPrompts("DEFAULT SYSTEM");
        assertEquals(new ChatMessage.System(ChatCompletionRequest.SAFE_PROMPT + "\n\nBe brief."), own.chat().messages().getFirst());
        assertEquals(0, own.insertedMessages());

        var safeOnly = parse("{\"safe_prompt\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").withSystemPrompts(null);
        assertEquals(new ChatMessage.System(ChatCompletionRequest.SAFE_PROMPT), safeOnly.chat().messages().getFirst());
    }

    @Test
    void withoutAVisionProjectorImagesAreA400SayingSo() {
        ApiError e = assertThrows(ApiError.class, () -> parse("""
                {"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}"""));
        assertEquals(400, e.status);
        assertEquals("messages[0].content[0]", e.param);
        assertTrue(e.getMessage().contains("--mmproj"), e.getMessage());
    }

    @Test
    void badBase64ImageIsA400NamingThePart() {
        ApiError e = assertThrows(ApiError.class, () -> new ChatRequestParser(json, false, true).parse("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]}"""
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status);
        assertEquals("messages[0].content[1]", e.param);
    }
}
