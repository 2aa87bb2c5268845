package jmistral.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TekkenEdgeCasesTest {
    private final Tekken tekken = TestData.tekken();

    /** The scanner must cut text exactly like the regex (java.util.regex with Unicode classes = reference). */
    @Test
    void splitterAgreesWithRegexOnFuzzedText() {
        Pattern regex = Pattern.compile(TekkenSplitter.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
        int[] alphabet = {' ', ' ', '\n', '\r', '\t', 'a', 'Z', 'é', 'É', 'ǅ', 'ʰ', '日', '\u0301', '\u20DD', '0', '٣', 'Ⅻ',
                '½', '.', '/', '\'', '-', '_', '\u00A0', '\u2028', '\u3000', '\u0085', '\u200B', 0x1F600, 0x1D400, 0x10400,
                0x10428, '\u0903', 'ß', 'ǈ', '\uFFFD'};
        Random rnd = new Random(42);
        for (int iter = 0; iter < 20_000; iter++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(12);
            for (int i = 0; i < n; i++) sb.appendCodePoint(alphabet[rnd.nextInt(alphabet.length)]);
            String s = sb.toString();
            assertEquals(regexPieces(regex, s), scannerPieces(s), () -> "pieces of " + escape(s));
        }
    }

    private static List<String> regexPieces(Pattern regex, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = regex.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() != last) out.add("GAP:" + s.substring(last, m.start()));
            out.add(m.group());
            last = m.end();
        }
        return out;
    }

    private static List<String> scannerPieces(String s) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int e = TekkenSplitter.pieceEnd(s, i);
            out.add(s.substring(i, e));
            i = e;
        }
        return out;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(String.format("U+%04X ", c)));
        return sb.toString();
    }

    @Test
    void emptyAndWhitespace() {
        assertEquals(0, tekken.encode("").length);
        assertEquals("", tekken.decode(new int[0], SpecialTokenPolicy.RAISE));
        String spaces = " ".repeat(100_000);
        int[] ids = tekken.encode(spaces);
        assertEquals(spaces, tekken.decode(ids, SpecialTokenPolicy.RAISE));
        assertTrue(ids.length < 2000, "long space runs merge into long tokens: " + ids.length);
        String mixed = "a" + " \t\n".repeat(5000) + "b";
        assertEquals(mixed, tekken.decode(tekken.encode(mixed), SpecialTokenPolicy.RAISE));
    }

    @Test
    void numbersAreSingleDigits() {
        int[] ids = tekken.encode("9876543210");
        assertEquals(10, ids.length);
        for (int i = 0; i < 10; i++) assertArrayEquals(tekken.encode(String.valueOf("9876543210".charAt(i))), new int[] {ids[i]});
    }

    @Test
    void loneSurrogatesBecomeReplacementChars() {
        assertArrayEquals(tekken.encode("a\uFFFDb"), tekken.encode("a\uD800b"));
        assertArrayEquals(tekken.encode("\uFFFD"), tekken.encode("\uDC00"));
        assertArrayEquals(tekken.encode("😀"), tekken.encode("\uD83D\uDE00"));
    }

    @Test
    void specialTokensNeverComeFromText() {
        for (int id : tekken.encode("<s>[INST][TOOL_CALLS][ARGS]</s><unk>[IMG]")) assertFalse(tekken.isSpecial(id));
    }

    @Test
    void badIdsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> tekken.decode(new int[] {131072}, SpecialTokenPolicy.KEEP));
        assertThrows(IllegalArgumentException.class, () -> tekken.decode(new int[] {-1}, SpecialTokenPolicy.KEEP));
        assertThrows(IllegalArgumentException.class, () -> tekken.specialId("[THINK]"));
    }

    @Test
    void streamingDecoderEqualsBatchDecode() {
        String text = "Zürich 日本語 🎉👩‍👩‍👧‍👦 ok\n\u0301é";
        for (SpecialTokenPolicy policy : List.of(SpecialTokenPolicy.IGNORE, SpecialTokenPolicy.KEEP)) {
            int[] body = tekken.encode(text);
            int[] ids = new int[body.length + 3];
            ids[0] = 1;
            System.arraycopy(body, 0, ids, 1, body.length);
            ids[ids.length - 2] = 1240;   // lone F0 byte: an unfinished character at the end
            ids[ids.length - 1] = 2;
            StreamingDecoder dec = tekken.newStreamingDecoder(policy);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String delta = dec.push(id);
                assertFalse(!delta.isEmpty() && Character.isHighSurrogate(delta.charAt(delta.length() - 1)), "split surrogate pair");
                sb.append(delta);
            }
            sb.append(dec.flush());
            assertEquals(tekken.decode(ids, policy), sb.toString());
        }
        StreamingDecoder dec = tekken.newStreamingDecoder();
        int[] popper = tekken.encode("🎉");
        assertEquals("", dec.push(popper[0]));
        assertEquals("", dec.push(popper[1]));
        assertEquals("", dec.push(popper[2]));
        assertEquals("🎉", dec.push(popper[3]));
        assertEquals("", dec.flush());
    }

    @Test
    void randomBytesDecodeLikeBatchWhenStreamed() {
        Random rnd = new Random(7);
        for (int iter = 0; iter < 2000; iter++) {
            int[] ids = new int[1 + rnd.nextInt(8)];
            for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(10) == 0 ? rnd.nextInt(20) : 1000 + rnd.nextInt(256);
            StreamingDecoder dec = tekken.newStreamingDecoder(SpecialTokenPolicy.KEEP);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(dec.push(id));
            sb.append(dec.flush());
            assertEquals(tekken.decode(ids, SpecialTokenPolicy.KEEP), sb.toString());
        }
    }
}
