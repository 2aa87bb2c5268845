package jmistral.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources of data/mistral-small-3.2 (vectors produced by mistral-common), loaded once. */
public final class TestData {
    private static Tekken tekken;

    private TestData() {}

    public static Path file(String name) {
        try {
            return Path.of(TestData.class.getResource("/data/mistral-small-3.2/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(file(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The v11 tokenizer from the synthesized tekken.json (what produced the chat vectors). */
    public static synchronized Tekken tekken() {
        if (tekken == null) tekken = Tekken.fromTekkenJson(file("tekken_v11_synthesized.json"));
        return tekken;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
