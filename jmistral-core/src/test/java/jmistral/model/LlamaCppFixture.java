package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays llama.cpp's recorded greedy runs (fixtures/llamacpp/README.md) on a model: each step's
 * listed top-5 log-probabilities must match within a tolerance, and our greedy token must equal
 * llama.cpp's up to the first step where llama.cpp's top-1 and top-2 are closer than 0.1.
 * Steps always continue with llama.cpp's token so every step compares the same distribution.
 */
final class LlamaCppFixture {
    private LlamaCppFixture() {}

    static JsonNode json(String resource) {
        try (InputStream in = LlamaCppFixture.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** geometry json ("model" object of the fixtures) as a TextConfig. */
    static TextConfig config(JsonNode m) {
        return new TextConfig(m.get("hidden").asInt(), m.get("layers").asInt(), m.get("head_dim").asInt(),
                m.get("ffn").asInt(), m.get("heads").asInt(), m.get("kv_heads").asInt(), m.get("rms_eps").asDouble(),
                m.get("rope_theta").asDouble(), m.get("vocab").asInt(), 131072);
    }

    /** Runs every case; returns the worst log-prob difference seen. */
    static double check(LanguageModel model, JsonNode cases, double tolerance, String label) {
        return check(model, cases, tolerance, label, c -> null);
    }

    /**
     * As above, with per-case prompt embeddings ([prompt.length][dim], non-null rows replace the token
     * embedding: image features at [IMG] positions).
     */
    static double check(LanguageModel model, JsonNode cases, double tolerance, String label,
                        java.util.function.Function<JsonNode, float[][]> promptEmbeddings) {
        double worst = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String name = label + "/" + c.get("name").asText();
            int[] prompt = ints(c.get("prompt_ids"));
            JsonNode steps = c.get("steps");
            try (KvCache cache = model.createCache(prompt.length + steps.size() + 1, KvCacheType.F32);
                 SequenceCache seq = cache.newSequence()) {
                float[] logits = model.forward(List.of(new BatchEntry(seq, prompt, promptEmbeddings.apply(c), false))).getFirst();
                boolean tieSeen = false;
                for (int i = 0; i < steps.size(); i++) {
                    JsonNode step = steps.get(i);
                    double[] lp = logSoftmax(logits);
                    JsonNode top = step.get("top");
                    for (JsonNode pair : top) {
                        int id = pair.get(0).asInt();
                        double diff = Math.abs(lp[id] - pair.get(1).asDouble());
                        worst = Math.max(worst, diff);
                        if (diff > tolerance) failures.add(name + " step " + i + " token " + id + ": ours " + lp[id] + ", llama.cpp " + pair.get(1).asDouble());
                    }
                    tieSeen |= top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble() < 0.1;
                    int expected = step.get("token").asInt();
                    if (!tieSeen && argmax(logits) != expected) {
                        failures.add(name + " step " + i + ": greedy " + argmax(logits) + ", llama.cpp " + expected);
                    }
                    if (i + 1 < steps.size()) logits = model.forward(List.of(BatchEntry.of(seq, expected))).getFirst();
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches (tolerance " + tolerance + "):\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        return worst;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) max = Math.max(max, v);
        for (float v : logits) sum += Math.exp(v - max);
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] - lse;
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
