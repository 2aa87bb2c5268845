package jmistral.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The heap/scan BPE against a plain transcription of tiktoken's O(n^2) merge loop. */
class BytePairEncoderTest {
    private final RankTable ranks = TestData.tekken().ranks();

    /** tiktoken's _byte_pair_merge, written as plainly as possible. */
    private List<Integer> reference(byte[] b) {
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i <= b.length; i++) starts.add(i);
        while (true) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 2 < starts.size(); i++) {
                int r = ranks.rankOf(b, starts.get(i), starts.get(i + 2) - starts.get(i));
                if (r >= 0 && r < bestRank) { bestRank = r; best = i; }
            }
            if (best < 0) break;
            starts.remove(best + 1);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i + 1 < starts.size(); i++) out.add(ranks.rankOf(b, starts.get(i), starts.get(i + 1) - starts.get(i)));
        return out;
    }

    private List<Integer> fast(byte[] b) {
        IntList out = new IntList();
        new BytePairEncoder(ranks).encode(b, b.length, out, 0);
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) l.add(out.get(i));
        return l;
    }

    @Test
    void shortAndLongPiecesMatchReference() {
        String[] alphabets = {" ", "ab", "xyzq", "日本語中文", "-=_", "0123456789", "\t\n ", "eéèê"};
        Random rnd = new Random(1);
        for (int iter = 0; iter < 300; iter++) {
            String alpha = alphabets[rnd.nextInt(alphabets.length)];
            int n = rnd.nextInt(iter < 150 ? 60 : 400) + 1;     // scan path below 64 bytes, heap path above
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.append(alpha.charAt(rnd.nextInt(alpha.length())));
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (ranks.rankOf(b, 0, b.length) >= 0) continue;   // whole-token shortcut is tiktoken's too
            assertEquals(reference(b), fast(b), sb::toString);
        }
    }
}
