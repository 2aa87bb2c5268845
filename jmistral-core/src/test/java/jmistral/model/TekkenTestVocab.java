package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.function.IntFunction;

/** Token bytes by id from the test resource tekken.json (ids < 1000 are specials: null). */
final class TekkenTestVocab {
    private TekkenTestVocab() {}

    static final String RESOURCE = "/data/mistral-small-3.2/tekken_v11_synthesized.json";
    private static byte[][] bytes;

    static synchronized IntFunction<byte[]> tokenBytes() {
        if (bytes == null) {
            try (InputStream in = TekkenTestVocab.class.getResourceAsStream(RESOURCE)) {
                JsonNode vocab = new ObjectMapper().readTree(in).get("vocab");
                bytes = new byte[vocab.size()][];
                for (int r = 0; r < vocab.size(); r++) bytes[r] = Base64.getDecoder().decode(vocab.get(r).get("token_bytes").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        byte[][] b = bytes;
        return id -> id < 1000 || id - 1000 >= b.length ? null : b[id - 1000];
    }
}
