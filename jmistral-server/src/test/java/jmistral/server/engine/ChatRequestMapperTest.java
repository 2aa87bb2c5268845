package jmistral.server.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.server.ApiError;
import jmistral.server.ChatCompletionParams;
import jmistral.server.ChatRequestParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** OpenAI/Mistral request -> chat layer request: ids, safety and default system prompts, images. */
class ChatRequestMapperTest {
    private final ChatRequestParser parser = new ChatRequestParser(new ObjectMapper());

    private ChatCompletionParams parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void openAiToolCallIdsKeepTheirLastNineCharactersOnCallAndResult() {
        ChatRequest r = new ChatRequestMapper(false, null).map(parse("""
                {"messages":[{"role":"user","content":"w?"},
                 {"role":"assistant","tool_calls":[{"id":"call_123456789abcdefgh","type":"function","function":{"name":"f","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_123456789abcdefgh","content":"ok"}]}""")).request();
        var call = ((ChatMessage.Assistant) r.messages().get(1)).toolCalls().getFirst();
        assertEquals("9abcdefgh", call.id());
        assertEquals("9abcdefgh", ((ChatMessage.Tool) r.messages().get(2)).toolCallId());
    }

    @Test
    void safePromptGoesBeforeTheSystemPromptAndTheDefaultOnlyWhenThereIsNone() {
        ChatRequestMapper mapper = new ChatRequestMapper(false, "DEFAULT SYSTEM");
        var plain = mapper.map(parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertEquals(new ChatMessage.System("DEFAULT SYSTEM"), plain.request().messages().getFirst());
        assertEquals(1, plain.insertedMessages());

        var own = mapper.map(parse("{\"safe_prompt\":true,\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertEquals(new ChatMessage.System(ChatRequestMapper.SAFE_PROMPT + "\n\nBe brief."), own.request().messages().getFirst());
        assertEquals(0, own.insertedMessages());

        var safeOnly = new ChatRequestMapper(false, null).map(parse("{\"safe_prompt\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertEquals(new ChatMessage.System(ChatRequestMapper.SAFE_PROMPT), safeOnly.request().messages().getFirst());
    }

    @Test
    void withoutAVisionProjectorImagesAreA400SayingSo() {
        ApiError e = assertThrows(ApiError.class, () -> new ChatRequestMapper(false, null).map(parse("""
                {"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""")));
        assertEquals(400, e.status);
        assertEquals("messages[0].content[0]", e.param);
        assertTrue(e.getMessage().contains("--mmproj"), e.getMessage());
    }

    @Test
    void badBase64ImageIsA400NamingThePart() {
        ApiError e = assertThrows(ApiError.class, () -> new ChatRequestMapper(false, true, null).map(parse("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]}""")));
        assertEquals(400, e.status);
        assertEquals("messages[0].content[1]", e.param);
    }
}
