package jmistral.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.server.JmistralServer;
import jmistral.server.ServerOptions;
import jmistral.engine.EngineOptions;
import jmistral.server.engine.ModelCompletionEngine;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Aggregate decode throughput of the server with 1, 4 and 8 concurrent streaming clients on the
 * 2-layer full-width model (Mistral Small 3.2 sizes, random weights, real vocabulary).
 *
 * <pre>
 * java -cp ... jmistral.bench.ServeBench [/tmp/jmistral-bench/synth-2l-q8_0.gguf] [tokensPerClient=32] [type=Q8_0] [draftTokens=8]
 * </pre>
 * The GGUF is written first when missing (about 2.6 GB in Q8_0). Each client streams one completion of
 * exactly tokensPerClient tokens (temperature 0, short distinct prompts) over HTTP, reading usage from
 * the final chunk; tokens/s = all completion tokens / wall time from the first request to the last end.
 */
public final class ServeBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path gguf = Path.of(args.length > 0 ? args[0] : "/tmp/jmistral-bench/synth-2l-q8_0.gguf");
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        GgmlType type = GgmlType.valueOf(args.length > 2 ? args[2] : "Q8_0");
        int draftTokens = args.length > 3 ? Integer.parseInt(args[3]) : 8;     // speculative decoding; 0 = off
        if (!Files.exists(gguf)) {
            Files.createDirectories(gguf.toAbsolutePath().getParent());
            Tekken tekken = SynthGguf.tekken();
            long t0 = System.nanoTime();
            SynthGguf.write(gguf, SynthGguf.fullWidth(2), tekken, type, 1);
            System.out.printf("wrote %s (%.2f GB) in %.1f s%n", gguf, Files.size(gguf) / 1e9, (System.nanoTime() - t0) / 1e9);
        }
        try (ModelCompletionEngine engine = ModelCompletionEngine.load(
                     EngineOptions.of(gguf).withModelId("bench").withMaxParallel(8).withContextTokens(8192)
                             .withDraftTokens(draftTokens));
             JmistralServer server = new JmistralServer(ServerOptions.loopback(0), engine).start()) {
            String base = "http://127.0.0.1:" + server.port();
            run(base, 1, 4);                       // warm-up (JIT, page cache)
            System.out.printf("threads: %d (jmistral.threads=%s)%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("jmistral.threads", "default"));
            double one = 0;
            for (int clients : new int[] {1, 4, 8}) {
                double tps = run(base, clients, tokens);
                if (clients == 1) one = tps;
                System.out.printf("clients %d: %.2f tokens/s aggregate (%.2fx one client)%n", clients, tps, tps / one);
                var m = engine.schedulerMetrics();
                if (m != null) System.out.printf("  drafted %d, accepted %d so far%n", m.draftedTokens(), m.acceptedTokens());
            }
        }
    }

    /** Aggregate completion tokens per second of `clients` concurrent streams. */
    static double run(String base, int clients, int tokens) throws Exception {
        long t0 = System.nanoTime();
        int total = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                all.add(pool.submit(() -> stream(base, "Benchmark client " + id + " writes a story", tokens)));
            }
            for (Future<Integer> f : all) total += f.get();
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    private static int stream(String base, String prompt, int tokens) throws Exception {
        String body = JSON.createObjectNode().put("model", "bench").put("stream", true).put("temperature", 0)
                .put("max_tokens", tokens).set("messages", JSON.createArrayNode().add(
                        JSON.createObjectNode().put("role", "user").put("content", prompt)))
                .toString().replace("}", ",\"stream_options\":{\"include_usage\":true}}");
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        int completion = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: {")) continue;
                JsonNode chunk = JSON.readTree(line.substring(6));
                if (chunk.has("error")) throw new IllegalStateException(line);
                if (chunk.path("usage").isObject()) completion = chunk.path("usage").path("completion_tokens").asInt();
            }
        }
        return completion;
    }
}
