package jmistral.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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

    /** One sequence being decoded: logits [vocab] after the prompt, then after each appended token. */
    interface Sequence extends AutoCloseable {
        float[] prefill(int[] prompt);

        float[] append(int token);

        @Override
        default void close() {}
    }

    /** The engine as a {@link Sequence} factory: one f32 KV cache per sequence, sized at prefill. */
    static Supplier<Sequence> engine(LanguageModel model) {
        return engine(model, null);
    }

    /**
     * As {@link #engine(LanguageModel)}, with prompt embeddings ([prompt.length][dim]; non-null rows
     * replace the token embedding: image features at [IMG] positions), or null for none.
     */
    static Supplier<Sequence> engine(LanguageModel model, float[][] promptEmbeddings) {
        return () -> new Sequence() {
            KvCache cache;
            SequenceCache seq;

            public float[] prefill(int[] prompt) {
                cache = model.createCache(prompt.length + MAX_STEPS, KvCacheType.F32);
                seq = cache.newSequence();
                return model.forward(List.of(new BatchEntry(seq, prompt, promptEmbeddings, false))).getFirst();
            }

            public float[] append(int token) { return model.forward(List.of(BatchEntry.of(seq, token))).getFirst(); }

            public void close() {
                if (seq != null) seq.close();
                if (cache != null) cache.close();
            }
        };
    }

    /** Generated steps a fixture case may have after its prompt. */
    static final int MAX_STEPS = 64;

    /** Runs every case; returns the worst log-prob difference seen. */
    static double check(LanguageModel model, JsonNode cases, double tolerance, String label) {
        return check(engine(model), cases, tolerance, label);
    }

    /** As {@link #check(LanguageModel, JsonNode, double, String)}, with per-case prompt embeddings. */
    static double check(LanguageModel model, JsonNode cases, double tolerance, String label,
                        java.util.function.Function<JsonNode, float[][]> promptEmbeddings) {
        double worst = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            JsonNode one = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(c);
            Result r = run(engine(model, promptEmbeddings.apply(c)), one, tolerance, label);
            worst = Math.max(worst, r.worst);
            failures.addAll(r.failures);
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches (tolerance " + tolerance + "):\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        return worst;
    }

    /** Runs every case; returns the worst log-prob difference seen. */
    static double check(Supplier<Sequence> model, JsonNode cases, double tolerance, String label) {
        Result r = run(model, cases, tolerance, label);
        assertTrue(r.failures.isEmpty(), r.failures.size() + " mismatches (tolerance " + tolerance + "):\n" + String.join("\n", r.failures.subList(0, Math.min(20, r.failures.size()))));
        return r.worst;
    }

    /** worst: largest log-prob difference; failures: differences over the tolerance and greedy mismatches before a near-tie. */
    record Result(double worst, double mean, List<String> failures) {}

    static Result run(Supplier<Sequence> model, JsonNode cases, double tolerance, String label) {
        double worst = 0, total = 0;
        int count = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String name = label + "/" + c.get("name").asText();
            int[] prompt = ints(c.get("prompt_ids"));
            JsonNode steps = c.get("steps");
            if (steps.size() > MAX_STEPS) throw new IllegalArgumentException(name + " has more than " + MAX_STEPS + " steps");
            try (Sequence seq = model.get()) {
                float[] logits = seq.prefill(prompt);
                boolean tieSeen = false;
                for (int i = 0; i < steps.size(); i++) {
                    JsonNode step = steps.get(i);
                    double[] lp = logSoftmax(logits);
                    JsonNode top = step.get("top");
                    for (JsonNode pair : top) {
                        int id = pair.get(0).asInt();
                        double diff = Math.abs(lp[id] - pair.get(1).asDouble());
                        worst = Math.max(worst, diff);
                        total += diff;
                        count++;
                        if (diff > tolerance) failures.add(name + " step " + i + " token " + id + ": ours " + lp[id] + ", llama.cpp " + pair.get(1).asDouble());
                    }
                    tieSeen |= top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble() < 0.1;
                    int expected = step.get("token").asInt();
                    if (!tieSeen && argmax(logits) != expected) {
                        failures.add(name + " step " + i + ": greedy " + argmax(logits) + ", llama.cpp " + expected);
                    }
                    if (i + 1 < steps.size()) logits = seq.append(expected);
                }
            }
        }
        return new Result(worst, count == 0 ? 0 : total / count, failures);
    }

    /**
     * Runs two implementations side by side on every case (each step fed llama.cpp's token); returns
     * the worst difference of their log-probabilities over the top tokens llama.cpp listed, and fails
     * if their greedy tokens differ where their own top-2 gap is at least 0.01.
     */
    static double compare(Supplier<Sequence> a, Supplier<Sequence> b, JsonNode cases, String label) {
        double worst = 0;
        for (JsonNode c : cases) {
            int[] prompt = ints(c.get("prompt_ids"));
            JsonNode steps = c.get("steps");
            try (Sequence sa = a.get(); Sequence sb = b.get()) {
                float[] la = sa.prefill(prompt), lb = sb.prefill(prompt);
                for (int i = 0; i < steps.size(); i++) {
                    double[] pa = logSoftmax(la), pb = logSoftmax(lb);
                    for (JsonNode pair : steps.get(i).get("top")) {
                        int id = pair.get(0).asInt();
                        worst = Math.max(worst, Math.abs(pa[id] - pb[id]));
                    }
                    int ga = argmax(la), gb = argmax(lb);
                    if (ga != gb && Math.abs(pb[gb] - pb[ga]) >= 0.01) {
                        throw new AssertionError(label + "/" + c.get("name").asText() + " step " + i + ": greedy " + ga + " vs " + gb);
                    }
                    int next = steps.get(i).get("token").asInt();
                    if (i + 1 < steps.size()) { la = sa.append(next); lb = sb.append(next); }
                }
            }
        }
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
