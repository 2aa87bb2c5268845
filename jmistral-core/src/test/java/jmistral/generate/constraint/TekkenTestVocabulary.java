package jmistral.generate.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The real Tekken byte vocabulary (131072 ids, 0..999 special, EOS 2) read straight from the rank list
 * in test resources: id = rank + 1000, so the tests do not depend on the tokenizer package.
 */
final class TekkenTestVocabulary implements TokenVocabulary {

    static final int SPECIAL = 1000;
    static final int SIZE = 131072;
    private static volatile TekkenTestVocabulary instance;
    private static volatile VocabularyTrie trie;

    private final byte[][] bytes = new byte[SIZE][];

    private TekkenTestVocabulary() {
        try (InputStream in = TekkenTestVocabulary.class.getResourceAsStream(
                "/data/mistral-small-3.2/tekken_240718_bpe_ranks.npm.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            String[] parts = root.get("bpe_ranks").asText().split(" ");
            // parts[0] = "!" (format marker), parts[1] = "0" (start rank), then base64 tokens in rank order
            int start = Integer.parseInt(parts[1]);
            for (int i = 2; i < parts.length && SPECIAL + start + i - 2 < SIZE; i++) {
                bytes[SPECIAL + start + i - 2] = Base64.getDecoder().decode(parts[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized TekkenTestVocabulary get() {
        if (instance == null) instance = new TekkenTestVocabulary();
        return instance;
    }

    static synchronized VocabularyTrie trie() {
        if (trie == null) trie = VocabularyTrie.of(get());
        return trie;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public byte[] bytes(int id) {
        return bytes[id];
    }

    @Override
    public int eosId() {
        return 2;
    }
}
