package jmistral.tokenizer;

import jmistral.ModelFileException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tekken.json, the compact rank list and GGUF metadata must describe the same tokenizer. */
class TekkenLoadersTest {
    private static final String MIXED = "Hello, world! función común días 日本語 🎉\n\tdef f(x):\n        return x**2  \r\n"
            + "안녕하세요 Привет 12345 ÆØÅ [INST]</s> ";

    private static Map<String, Object> metadata;

    private static synchronized Map<String, Object> metadata() {
        if (metadata == null) metadata = TestData.tekken().toGgufMetadata();
        return metadata;
    }

    @Test
    void rankListGivesSameIdsAsTekkenJson() {
        Tekken json = TestData.tekken();
        Tekken ranks = Tekken.fromRankList(TestData.file("tekken_240718_bpe_ranks.npm.json"));
        assertEquals(json.vocabSize(), ranks.vocabSize());
        for (int id = 0; id < json.vocabSize(); id += 97) assertArrayEquals(json.tokenBytes(id), ranks.tokenBytes(id), "id " + id);
        for (int id = 0; id < json.numSpecial(); id++) assertEquals(json.specialName(id), ranks.specialName(id));
        assertArrayEquals(json.encode(MIXED), ranks.encode(MIXED));
    }

    @Test
    void ggufMetadataRoundTripGivesSameIds() {
        Tekken json = TestData.tekken();
        Map<String, Object> md = metadata();
        assertEquals("gpt2", md.get("tokenizer.ggml.model"));
        assertEquals("tekken", md.get("tokenizer.ggml.pre"));
        assertEquals(1L, md.get("tokenizer.ggml.bos_token_id"));
        assertEquals(2L, md.get("tokenizer.ggml.eos_token_id"));
        @SuppressWarnings("unchecked") List<String> tokens = (List<String>) md.get("tokenizer.ggml.tokens");
        assertEquals(131072, tokens.size());
        assertEquals("[INST]", tokens.get(3));
        assertEquals("Ġ", tokens.get(1032));                  // byte 0x20 in GPT-2's byte alphabet
        @SuppressWarnings("unchecked") List<String> merges = (List<String>) md.get("tokenizer.ggml.merges");
        assertTrue(merges.size() > 129_000, "merges: " + merges.size());
        assertTrue(merges.contains("Ġ Ġ"), "space pair merge");

        Tekken gguf = Tekken.fromGgufMetadata(md);
        assertEquals(json.vocabSize(), gguf.vocabSize());
        assertEquals(json.numSpecial(), gguf.numSpecial());
        assertArrayEquals(json.encode(MIXED), gguf.encode(MIXED));
        for (int id = 0; id < json.vocabSize(); id += 101) assertArrayEquals(json.tokenBytes(id), gguf.tokenBytes(id), "id " + id);
    }

    @Test
    void ggufFileRoundTrip() throws Exception {
        Tekken json = TestData.tekken();
        Path f = Files.createTempFile("tekken", ".gguf");
        try {
            jmistral.gguf.GgufWriter w = new jmistral.gguf.GgufWriter();
            w.putString("general.architecture", "llama");
            json.writeGgufMetadata(w);
            w.write(f);
            try (jmistral.gguf.GgufFile g = jmistral.gguf.GgufFile.open(f)) {
                assertEquals(1, g.getInt("tokenizer.ggml.bos_token_id"));
                Tekken fromFile = Tekken.fromGgufMetadata(g.metadata());
                assertArrayEquals(json.encode(MIXED), fromFile.encode(MIXED));
                assertEquals(json.vocabSize(), fromFile.vocabSize());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void mergesReproduceBpe() {
        // Applying the derived merges llama.cpp-style (lowest merge index first) must give the rank-based ids.
        Tekken t = TestData.tekken();
        @SuppressWarnings("unchecked") List<String> merges = (List<String>) metadata().get("tokenizer.ggml.merges");
        Map<String, Integer> mergeRank = new java.util.HashMap<>();
        for (int i = 0; i < merges.size(); i++) mergeRank.put(merges.get(i), i);
        for (String word : List.of("Hello", " world", "función", " tokenization", "日本語", "xxxxxxxxxxxxxxxx")) {
            List<String> parts = new ArrayList<>();
            for (byte b : word.getBytes(java.nio.charset.StandardCharsets.UTF_8)) parts.add(Gpt2Bytes.encode(new byte[] {b}));
            while (true) {
                int best = -1, bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer r = mergeRank.get(parts.get(i) + " " + parts.get(i + 1));
                    if (r != null && r < bestRank) { bestRank = r; best = i; }
                }
                if (best < 0) break;
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            int[] ids = parts.stream().mapToInt(p -> t.encode(new String(Gpt2Bytes.decode(p), java.nio.charset.StandardCharsets.UTF_8)).length == 1
                    ? t.encode(new String(Gpt2Bytes.decode(p), java.nio.charset.StandardCharsets.UTF_8))[0] : -1).toArray();
            assertArrayEquals(t.encode(word), ids, word);
        }
    }

    @Test
    void ggufMetadataErrorsAreClear() {
        Map<String, Object> md = new LinkedHashMap<>(metadata());
        md.put("tokenizer.ggml.model", "llama");
        var e = assertThrows(ModelFileException.class, () -> Tekken.fromGgufMetadata(md));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model"), e.getMessage());
        md.put("tokenizer.ggml.model", "gpt2");
        md.put("tokenizer.ggml.bos_token_id", 7L);
        assertThrows(ModelFileException.class, () -> Tekken.fromGgufMetadata(md));
        md.remove("tokenizer.ggml.tokens");
        assertThrows(ModelFileException.class, () -> Tekken.fromGgufMetadata(md));
    }

    /** Arrays of the wrong element type (an array of arrays is a List too) are named, never a ClassCastException. */
    @Test
    void ggufArraysOfTheWrongElementTypeAreClearErrors() {
        Map<String, Object> md = new LinkedHashMap<>(metadata());
        int n = ((List<?>) md.get("tokenizer.ggml.tokens")).size();
        md.put("tokenizer.ggml.tokens", java.util.Collections.nCopies(n, List.of("a")));
        var e = assertThrows(ModelFileException.class, () -> Tekken.fromGgufMetadata(md));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens missing or not an array of strings"), e.getMessage());
        Map<String, Object> md2 = new LinkedHashMap<>(metadata());
        md2.put("tokenizer.ggml.token_type", java.util.Collections.nCopies(n, "x"));
        e = assertThrows(ModelFileException.class, () -> Tekken.fromGgufMetadata(md2));
        assertTrue(e.getMessage().contains("token_type missing or not " + n + " integers"), e.getMessage());
    }

    @Test
    void badTekkenJsonIsAClearError() throws Exception {
        Path f = Files.createTempFile("tekken", ".json");
        try {
            Files.writeString(f, "{\"config\": {\"pattern\": \"\\\\w+\", \"default_vocab_size\": 1300, \"default_num_special_tokens\": 1000}, \"vocab\": []}");
            var e = assertThrows(ModelFileException.class, () -> Tekken.fromTekkenJson(f));
            assertTrue(e.getMessage().contains("pattern"), e.getMessage());
            Files.writeString(f, "{\"config\": {\"default_vocab_size\": 1300, \"default_num_special_tokens\": 1000}, \"vocab\": []}");
            e = assertThrows(ModelFileException.class, () -> Tekken.fromTekkenJson(f));
            assertTrue(e.getMessage().contains("vocab has 0 entries"), e.getMessage());
            Files.writeString(f, "{not json");
            assertThrows(ModelFileException.class, () -> Tekken.fromTekkenJson(f));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
