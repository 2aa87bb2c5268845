package jmistral.tokenizer;

/**
 * UTF-8 helpers that behave like CPython: {@link #decodeReplace} is {@code bytes.decode("utf-8", "replace")}
 * (one U+FFFD per maximal invalid subpart, Unicode's "best practice"; Java's decoder differs, e.g. for
 * {@code ED A0 80}), and {@link #incompleteTail} finds a trailing, still-completable multi-byte prefix
 * for streaming.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * Length of the valid sequence starting with lead byte {@code b0}, or 0 when b0 can never start one.
     */
    private static int sequenceLength(int b0) {
        if (b0 < 0x80) return 1;
        if (b0 >= 0xC2 && b0 <= 0xDF) return 2;
        if (b0 >= 0xE0 && b0 <= 0xEF) return 3;
        if (b0 >= 0xF0 && b0 <= 0xF4) return 4;
        return 0;
    }

    /** Allowed range of the second byte after lead byte {@code b0} (Unicode Table 3-7). */
    private static boolean validSecond(int b0, int b1) {
        return switch (b0) {
            case 0xE0 -> b1 >= 0xA0 && b1 <= 0xBF;
            case 0xED -> b1 >= 0x80 && b1 <= 0x9F;
            case 0xF0 -> b1 >= 0x90 && b1 <= 0xBF;
            case 0xF4 -> b1 >= 0x80 && b1 <= 0x8F;
            default -> b1 >= 0x80 && b1 <= 0xBF;
        };
    }

    /**
     * How many bytes from {@code i} form a valid prefix of a sequence (1..need), given the lead byte is a
     * valid lead; stops at the first byte that does not fit.
     */
    private static int validPrefix(byte[] b, int i, int end, int need) {
        int b0 = b[i] & 0xFF;
        int k = 1;
        while (k < need && i + k < end) {
            int bk = b[i + k] & 0xFF;
            boolean ok = k == 1 ? validSecond(b0, bk) : (bk >= 0x80 && bk <= 0xBF);
            if (!ok) break;
            k++;
        }
        return k;
    }

    /** CPython {@code bytes.decode("utf-8", errors="replace")} of {@code b[from..to)}. */
    static String decodeReplace(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) { sb.append((char) b0); i++; continue; }
            int need = sequenceLength(b0);
            if (need == 0) { sb.append('\uFFFD'); i++; continue; }
            int k = validPrefix(b, i, to, need);
            if (k < need) { sb.append('\uFFFD'); i += k; continue; }
            int cp = switch (need) {
                case 2 -> ((b0 & 0x1F) << 6) | (b[i + 1] & 0x3F);
                case 3 -> ((b0 & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
                default -> ((b0 & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
            };
            sb.appendCodePoint(cp);
            i += need;
        }
        return sb.toString();
    }

    /**
     * Number of trailing bytes of {@code b[from..to)} that form a valid but unfinished multi-byte
     * sequence (0..3): a streaming decoder holds them back until the next token completes them.
     */
    static int incompleteTail(byte[] b, int from, int to) {
        for (int back = 1; back <= 3 && to - back >= from; back++) {
            int i = to - back;
            int b0 = b[i] & 0xFF;
            if (b0 >= 0x80 && b0 <= 0xBF) continue;          // continuation byte: look further back
            int need = sequenceLength(b0);
            if (need <= back) return 0;                       // ASCII, invalid lead, or complete
            return validPrefix(b, i, to, need) == back ? back : 0;
        }
        return 0;
    }

    /** Writes the UTF-8 encoding of {@code s[from..to)} into {@code out} (lone surrogates as U+FFFD). */
    static int encode(CharSequence s, int from, int to, byte[] out) {
        int p = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) { out[p++] = (byte) ch; continue; }
            int cp = ch;
            if (Character.isHighSurrogate(ch) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(ch, s.charAt(++i));
            } else if (Character.isSurrogate(ch)) {
                cp = 0xFFFD;
            }
            if (cp < 0x800) {
                out[p++] = (byte) (0xC0 | (cp >> 6));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[p++] = (byte) (0xE0 | (cp >> 12));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[p++] = (byte) (0xF0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return p;
    }

    /** Replaces unpaired surrogates by U+FFFD (what tiktoken does before splitting). */
    static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isSurrogate(ch)) continue;
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) { i++; continue; }
            if (sb == null) sb = new StringBuilder(s);
            sb.setCharAt(i, '\uFFFD');
        }
        return sb == null ? s : sb.toString();
    }
}
