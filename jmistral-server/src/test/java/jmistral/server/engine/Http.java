package jmistral.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Plain JDK HTTP calls to the test server (what the SDKs do, without their checks in the way). */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Http() {}

    record Response(int status, JsonNode body) {}

    static HttpRequest post(String base, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + SynthServer.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static Response chat(String base, String body) throws Exception {
        HttpResponse<String> r = CLIENT.send(post(base, body), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), JSON.readTree(r.body()));
    }

    /** A GET with the key; the body as text. */
    static String get(String base, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + SynthServer.API_KEY).build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A streamed completion's content, concatenated from the SSE chunks. */
    static String streamedText(String base, String body) throws Exception {
        HttpResponse<InputStream> r = CLIENT.send(post(base, body), HttpResponse.BodyHandlers.ofInputStream());
        StringBuilder text = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                JsonNode chunk = JSON.readTree(line.substring(6));
                if (chunk.has("error")) throw new IllegalStateException(line);
                for (JsonNode c : chunk.path("choices")) {
                    JsonNode content = c.path("delta").path("content");
                    if (content.isTextual()) text.append(content.asText());
                }
            }
        }
        return text.toString();
    }

    /** Opens a stream and returns its body once the first data line came. */
    static InputStream openStream(String base, String body) throws Exception {
        HttpResponse<InputStream> r = CLIENT.send(post(base, body), HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = r.body();
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                if (line.toString().startsWith("data: ")) return in;
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }
        throw new IllegalStateException("the stream ended before any data");
    }
}
