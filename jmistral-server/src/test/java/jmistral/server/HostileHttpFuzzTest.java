package jmistral.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded hostile HTTP requests against the server (stand-in engine): garbage request lines, broken headers,
 * malformed and over-limit JSON (depth, number length), wrong field types, all sent whole. Every answer is
 * a 4xx or a closed connection, never a 5xx, never a JVM exception name in the body; the server answers
 * /health after all of them, after idle connections beyond its connection cap, and closes an idle
 * keep-alive connection after its read timeout.
 */
class HostileHttpFuzzTest {
    static final int CASES = 300;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    static final int MAX_CONNECTIONS = 64;
    static JmistralServer server;

    @BeforeAll
    static void start() {
        server = new JmistralServer(new ServerOptions("127.0.0.1", 0, null, 1 << 20)
                .withConnectionLimits(READ_TIMEOUT, MAX_CONNECTIONS), new EchoEngine()).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static final String VALID = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4}";

    /** One hostile request, whole (a body never shorter than its Content-Length, so nothing waits). */
    static byte[] hostile(Random rnd) {
        String body = switch (rnd.nextInt(9)) {
            case 0 -> "[".repeat(129 + rnd.nextInt(2000)) + "]".repeat(10);
            case 1 -> VALID.replace("4}", "1" + "0".repeat(101 + rnd.nextInt(5000)) + "}");
            case 2 -> VALID.substring(0, rnd.nextInt(VALID.length()));
            case 3 -> VALID.replace("\"hello\"", switch (rnd.nextInt(4)) {
                case 0 -> "5"; case 1 -> "null"; case 2 -> "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]";
                default -> "{\"x\":1}"; });
            case 4 -> VALID.replace("\"max_tokens\":4", rnd.nextBoolean() ? "\"max_tokens\":-1" : "\"n\":1000000");
            case 5 -> VALID.replace("\"user\"", "\"" + "\u0000\u001b[2J".repeat(1 + rnd.nextInt(3)) + "\"");
            case 6 -> "{\"model\":\"m\",\"messages\":[],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                    + "\"schema\":{\"type\":\"array\",\"maxItems\":" + (rnd.nextBoolean() ? "-5" : "100000") + "}}}}";
            case 7 -> new String(randomBytes(rnd, 1 + rnd.nextInt(300)), StandardCharsets.ISO_8859_1);
            default -> VALID;
        };
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = switch (rnd.nextInt(8)) {
            case 0 -> new String(randomBytes(rnd, 1 + rnd.nextInt(40)), StandardCharsets.ISO_8859_1) + "\r\n";
            case 1 -> "POST /v1/chat/completions HTTP/" + rnd.nextInt(10) + "." + rnd.nextInt(10) + "\r\n";
            case 2 -> "POST /v1/chat/completions" + "/..%00".repeat(rnd.nextInt(50)) + " HTTP/1.1\r\n";
            case 3 -> "POST /v1/chat/completions HTTP/1.1\r\nX-Long: " + "a".repeat(40_000) + "\r\n";
            case 4 -> "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: " + (rnd.nextBoolean() ? "abc" : "-7") + "\r\n";
            case 5 -> "GET /" + "a".repeat(rnd.nextInt(10_000)) + " HTTP/1.1\r\n";
            default -> "POST /v1/chat/completions HTTP/1.1\r\n";
        };
        String headers = "Host: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + (head.contains("Content-Length") ? "" : "Content-Length: " + b.length + "\r\n") + "\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(headers.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Sends and reads until the server closes (or 10 s pass); the raw answer. */
    static String exchange(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException e) {
                return ""; // the server closed first (header or line over the limit): a clean refusal
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                // until the server closes or one whole response is in (an answer to a request it could not parse
                // is followed by a lingering close of up to a second: waiting for the close would cost that)
                for (int n; !complete(got) && (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                fail("no answer and no close within 10 s: " + new String(request, 0, Math.min(120, request.length), StandardCharsets.ISO_8859_1));
            } catch (IOException reset) {
                // connection reset after a refusal: fine
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Headers and a Content-Length body received. */
    static boolean complete(ByteArrayOutputStream got) {
        String text = got.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return false;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, end));
        return m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    @Test
    void hostileRequestsGetFourHundredsAndTheServerStaysHealthy() throws IOException {
        Random rnd = new Random(17);
        int answered = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] req = hostile(rnd);
            String answer = exchange(req);
            String what = "case " + i + ": " + new String(req, 0, Math.min(160, req.length), StandardCharsets.ISO_8859_1);
            if (answer.isEmpty()) continue; // closed without an answer (not HTTP at all)
            answered++;
            assertTrue(answer.startsWith("HTTP/1.1 "), what + " -> " + answer);
            int status = Integer.parseInt(answer.substring(9, 12));
            assertTrue(status < 500, what + " -> " + answer);
            for (String leak : List.of("Exception", "java.", "jmistral.", "at com.", "NullPointer")) {
                assertFalse(answer.contains(leak), what + " leaks '" + leak + "': " + answer);
            }
        }
        assertTrue(answered > CASES / 2, "most hostile requests get an HTTP answer: " + answered);
        assertHealthy();
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheReadTimeout() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int total = 0;
            for (int n; (n = in.read(buf)) > 0; ) total += n;
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(total > 0, "answered before closing");
            assertTrue(seconds < READ_TIMEOUT.toSeconds() + 6, "closed after " + seconds + " s");
        }
    }

    @Test
    void idleConnectionsBeyondTheCapLeaveTheServerAccepting() throws IOException {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS * 4; i++) idle.add(new Socket("127.0.0.1", server.port()));
        } finally {
            for (Socket s : idle) s.close();
        }
        assertHealthy();
    }

    static void assertHealthy() throws IOException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String answer = "";
        while (System.nanoTime() < deadline) {
            answer = exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (answer.startsWith("HTTP/1.1 200")) return;
        }
        fail("server not healthy: " + answer);
    }
}
