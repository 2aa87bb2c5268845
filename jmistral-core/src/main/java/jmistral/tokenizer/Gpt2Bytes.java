package jmistral.tokenizer;

/**
 * GPT-2's reversible byte <-> printable-char mapping ({@code bytes_to_unicode}) used for the token strings
 * of byte-level BPE vocabularies in GGUF files and HF tokenizer.json.
 */
final class Gpt2Bytes {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[324];   // chars are all below 256 + 68

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : 256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private Gpt2Bytes() {}

    static String encode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
        return sb.toString();
    }

    /** Inverse of {@link #encode}; throws when {@code s} holds a char outside the mapping. */
    static byte[] decode(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) throw new IllegalArgumentException("char U+" + Integer.toHexString(c) + " is not a GPT-2 byte char in token \"" + s + "\"");
            out[i] = (byte) b;
        }
        return out;
    }
}
