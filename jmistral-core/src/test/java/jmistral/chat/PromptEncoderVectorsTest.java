package jmistral.chat;

import com.fasterxml.jackson.databind.JsonNode;
import jmistral.tokenizer.SpecialTokenPolicy;
import jmistral.tokenizer.Tekken;
import jmistral.tokenizer.TestData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** chat_vectors.json and the chat/image parts of image_vectors.json, produced by mistral-common. */
class PromptEncoderVectorsTest {
    private final Tekken tekken = TestData.tekken();
    private final PromptEncoder current = new PromptEncoder(tekken).withValidation(ValidationMode.TEST);
    private final PromptEncoder legacy = current.withFormat(PromptFormat.MISTRAL_COMMON_1_6_3);

    @TestFactory
    List<DynamicTest> chatVectors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = TestData.json("chat_vectors.json").get("cases").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            tests.add(DynamicTest.dynamicTest(c.getKey(), () -> {
                ChatRequest req = ChatRequestJson.parse(c.getValue().get("request"), url -> { throw new AssertionError("no images"); });
                int[] got = current.encode(req).tokens();
                assertEquals(c.getValue().get("text").asText(), tekken.decode(got, SpecialTokenPolicy.KEEP));
                assertArrayEquals(TestData.ints(c.getValue().get("tokens")), got);
                JsonNode old = c.getValue().get("mistral_common_1_6_3");
                JsonNode expectedOld = old != null ? old.get("tokens") : c.getValue().get("tokens");
                assertArrayEquals(TestData.ints(expectedOld), legacy.encode(req).tokens(), "1.6.3 format");
                // serving mode accepts every vector request too (all calls have ids and results)
                assertArrayEquals(got, new PromptEncoder(tekken).encode(req).tokens());
            }));
        }
        return tests;
    }

    @Test
    void imageLayouts() {
        for (JsonNode c : TestData.json("image_vectors.json").get("cases")) {
            ImageTokenLayout l = ImageTokenLayout.of(c.get("width").asInt(), c.get("height").asInt(), tekken.imageConfig());
            String what = c.get("width") + "x" + c.get("height");
            assertEquals(c.get("w_tokens").asInt(), l.cols(), what);
            assertEquals(c.get("h_tokens").asInt(), l.rows(), what);
            assertEquals(c.get("num_tokens").asInt(), l.tokenCount(), what);
            assertEquals(c.get("processed_shape_CHW").get(1).asInt(), l.resizedHeight(), what);
            assertEquals(c.get("processed_shape_CHW").get(2).asInt(), l.resizedWidth(), what);
            jmistral.tokenizer.IntList ids = new jmistral.tokenizer.IntList();
            l.appendTo(ids, 10, 12, 13);
            int[] all = ids.toArray();
            int[] head = TestData.ints(c.get("tokens_head")), tail = TestData.ints(c.get("tokens_tail"));
            assertArrayEquals(head, java.util.Arrays.copyOf(all, head.length), what);
            assertArrayEquals(tail, java.util.Arrays.copyOfRange(all, all.length - tail.length, all.length), what);
        }
    }

    @Test
    void chatWithImages() {
        JsonNode v = TestData.json("image_vectors.json");
        ChatRequest one = ChatRequest.of(new ChatMessage.System("You are a helpful assistant."),
                new ChatMessage.User(List.of(new ContentPart.Text("What is this?"), new ContentPart.Image("img", 200, 300))));
        EncodedPrompt p = current.encode(one);
        assertArrayEquals(TestData.ints(v.get("chat_with_image_200x300").get("tokens")), p.tokens());
        assertEquals(1, p.images().size());
        assertEquals(10, p.images().get(0).tokenOffset());
        assertEquals(10, p.tokens()[p.images().get(0).tokenOffset()]);

        ChatRequest two = ChatRequest.of(new ChatMessage.User(List.of(new ContentPart.Image("a", 30, 30),
                new ContentPart.Text("A"), new ContentPart.Image("b", 60, 20), new ContentPart.Text("B"))));
        EncodedPrompt q = current.encode(two);
        assertArrayEquals(TestData.ints(v.get("chat_two_images_interleaved").get("tokens")), q.tokens());
        assertEquals(List.of(2, 9), q.images().stream().map(EncodedPrompt.ImageSlot::tokenOffset).toList());
    }
}
