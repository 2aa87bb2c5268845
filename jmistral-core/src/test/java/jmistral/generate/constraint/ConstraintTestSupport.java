package jmistral.generate.constraint;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers shared by the constraint tests: random walks, byte-by-byte feeding, independent validation. */
final class ConstraintTestSupport {

    private ConstraintTestSupport() {}

    static final int EOS = 2;

    /** Tekken's ids 1000..1255 are the 256 single bytes (ranks 0..255), so any text can be fed byte by byte. */
    static int byteToken(int b) {
        return 1000 + (b & 0xFF);
    }

    /** Feeds the UTF-8 bytes of {@code doc} then EOS; true iff every step was allowed. */
    static boolean acceptsBytes(GrammarMatcher m, String doc) {
        ConstraintState s = m.newState();
        for (byte b : doc.getBytes(StandardCharsets.UTF_8)) {
            if (!s.tryAdvance(byteToken(b))) return false;
        }
        return s.tryAdvance(EOS);
    }

    /** Result of one random walk: the bytes produced (tokens only, no EOS), or truncated = step cap hit. */
    record Walk(byte[] bytes, List<Integer> tokens, boolean truncated) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Picks a random allowed token at each step (a stand-in for a random-weight model) until EOS: uniform
     * over the mask, or (one step in four) uniform over the allowed tokens holding a closing byte. Checks on the way that the mask is never empty and that mask and advance agree.
     */
    static Walk randomWalk(GrammarMatcher m, long seed, int maxSteps) {
        return randomWalk(m, seed, maxSteps, List.of());
    }

    /** As above, after first forcing the given tokens (e.g. some text and [TOOL_CALLS]). */
    static Walk randomWalk(GrammarMatcher m, long seed, int maxSteps, List<Integer> forcedPrefix) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ConstraintState s = m.newState();
        long[] mask = new long[m.trie().maskWords()];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> tokens = new java.util.ArrayList<>();
        TekkenTestVocabulary vocab = TekkenTestVocabulary.get();
        for (int id : forcedPrefix) {
            s.advance(id);
            if (id == EOS) return new Walk(out.toByteArray(), tokens, false);
            tokens.add(id);
            byte[] b = vocab.bytes(id);
            if (b != null) out.writeBytes(b);
        }
        for (int step = 0; step < maxSteps; step++) {
            s.fillAllowed(mask);
            int id = -1;
            if (rnd.nextInt(4) == 0) { // sometimes prefer closing tokens so free strings end in reasonable time
                long[] closing = mask.clone();
                for (int i = 0; i < closing.length; i++) closing[i] &= CLOSING[i];
                id = pick(closing, rnd);
            }
            if (id < 0) id = pick(mask, rnd);
            if (id < 0) throw new AssertionError("empty mask after " + out.toString(StandardCharsets.UTF_8));
            s.advance(id); // throws if the mask allowed a token the automaton rejects
            if (id == EOS) return new Walk(out.toByteArray(), tokens, false);
            tokens.add(id);
            byte[] b = vocab.bytes(id);
            if (b != null) out.writeBytes(b);
        }
        return new Walk(out.toByteArray(), tokens, true);
    }

    /** Tokens whose bytes contain '"', ']' or '}' (plus EOS). */
    private static final long[] CLOSING = closingTokens();

    private static long[] closingTokens() {
        TekkenTestVocabulary v = TekkenTestVocabulary.get();
        long[] m = new long[(v.size() + 63) / 64];
        m[EOS >>> 6] |= 1L << EOS;
        for (int id = 0; id < v.size(); id++) {
            byte[] b = v.bytes(id);
            if (b == null) continue;
            for (byte x : b) {
                if (x == '"' || x == ']' || x == '}') {
                    m[id >>> 6] |= 1L << id;
                    break;
                }
            }
        }
        return m;
    }

    /** Uniform choice among the set bits of the mask; -1 if none. */
    static int pick(long[] mask, SplittableRandom rnd) {
        int total = 0;
        for (long w : mask) total += Long.bitCount(w);
        if (total == 0) return -1;
        int k = rnd.nextInt(total);
        for (int i = 0; i < mask.length; i++) {
            int c = Long.bitCount(mask[i]);
            if (k < c) {
                long w = mask[i];
                for (int j = 0; j < k; j++) w &= w - 1;
                return i * 64 + Long.numberOfTrailingZeros(w);
            }
            k -= c;
        }
        throw new IllegalStateException();
    }

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static Schema validator(String schemaJson) {
        return REGISTRY.getSchema(schemaJson, InputFormat.JSON);
    }

    /** Validation errors of {@code doc} (format assertions on); empty = valid. */
    static List<String> errors(Schema schema, String doc) {
        return schema.validate(doc, InputFormat.JSON, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)))
                .stream().map(Object::toString).toList();
    }
}
