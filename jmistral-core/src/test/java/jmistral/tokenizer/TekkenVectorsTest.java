package jmistral.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** text_vectors.json: encode ids, decode policies and Python-style invalid UTF-8 replacement. */
class TekkenVectorsTest {
    private final Tekken tekken = TestData.tekken();
    private final JsonNode vectors = TestData.json("text_vectors.json");

    @Test
    void vocabularyLayout() {
        assertEquals(131072, tekken.vocabSize());
        assertEquals(1000, tekken.numSpecial());
        assertEquals(vectors.get("bos").asInt(), tekken.bos());
        assertEquals(vectors.get("eos").asInt(), tekken.eos());
        assertEquals(3, tekken.specialId("[INST]"));
        assertEquals(32, tekken.specialId("[ARGS]"));
        assertEquals(33, tekken.specialId("[CALL_ID]"));
        assertEquals("v11", tekken.version());
        assertEquals(ImageConfig.MISTRAL_SMALL_3, tekken.imageConfig());
    }

    @Test
    void encodeMatchesMistralCommon() {
        for (JsonNode c : vectors.get("cases")) {
            String text = c.get("text").asText();
            assertArrayEquals(TestData.ints(c.get("ids")), tekken.encode(text), () -> "encode " + text);
            assertEquals(text, tekken.decode(tekken.encode(text), SpecialTokenPolicy.RAISE), "round trip");
        }
    }

    @Test
    void decodeChecks() {
        JsonNode d = vectors.get("decode_checks");
        int[] hello = tekken.encode("Hello");
        int[] withSpecials = new int[hello.length + 2];
        withSpecials[0] = 1;
        System.arraycopy(hello, 0, withSpecials, 1, hello.length);
        withSpecials[hello.length + 1] = 2;
        assertEquals(d.get("decode_bos_hello_eos_IGNORE").asText(), tekken.decode(withSpecials, SpecialTokenPolicy.IGNORE));
        assertEquals(d.get("decode_bos_hello_eos_KEEP").asText(), tekken.decode(withSpecials, SpecialTokenPolicy.KEEP));
        assertThrows(IllegalArgumentException.class, () -> tekken.decode(withSpecials, SpecialTokenPolicy.RAISE));

        int[] popper = TestData.ints(d.get("party_popper_ids"));
        assertArrayEquals(popper, tekken.encode("🎉"));
        assertEquals(d.get("decode_first_byte_token_of_emoji_only").asText(), tekken.decode(new int[] {popper[0]}, SpecialTokenPolicy.IGNORE));
        int[] split = {popper[0], 3, popper[1], popper[2], popper[3]};   // F0 | [INST] | 9F 8E 89
        assertEquals(d.get("decode_split_multibyte_across_special_IGNORE").asText(), tekken.decode(split, SpecialTokenPolicy.IGNORE));
        // F0 9F | 8E 89: CPython gives one U+FFFD for the truncated prefix, one per stray continuation byte
        assertEquals("\uFFFD\uFFFD\uFFFD", tekken.decode(new int[] {popper[0], popper[1], 3, popper[2], popper[3]}, SpecialTokenPolicy.IGNORE));
        assertEquals(d.get("id_to_piece_20").asText(), tekken.idToPiece(20));
        assertEquals(d.get("id_to_piece_999").asText(), tekken.idToPiece(999));
        assertEquals(d.get("id_to_piece_1000").asText(), tekken.idToPiece(1000));
        assertEquals(d.get("id_to_piece_1032").asText(), tekken.idToPiece(1032));
        assertEquals(d.get("id_to_piece_1255_(byte 0xFF)").asText(), tekken.idToPiece(1255));
        assertArrayEquals(TestData.ints(d.get("e_acute_ids")), tekken.encode("é"));
    }

    @Test
    void invalidUtf8IsReplacedLikeCPython() {
        for (JsonNode c : vectors.get("decode_invalid_utf8_cases")) {
            int[] ids = TestData.ints(c.get("ids"));
            String got = tekken.decode(ids, SpecialTokenPolicy.IGNORE);
            assertEquals(c.get("decoded").asText(), got, c.get("name").asText());
            assertEquals(c.get("decoded_codepoints").size(), got.codePointCount(0, got.length()), c.get("name").asText());
        }
    }
}
