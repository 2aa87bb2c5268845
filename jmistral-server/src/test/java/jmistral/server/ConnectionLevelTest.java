package jmistral.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The HTTP connection level against raw sockets on 127.0.0.1 (stand-in engine): requests left half-sent at every
 * stage and silent connections are closed within the read timeout with one log line each and no stack trace;
 * connections past the cap get a 503 at once; {@code Connection: close} closes the socket after the answer;
 * requests Helidon cannot parse get a JSON 400 naming the part; thousands of idle connections opened and closed
 * leave the server healthy.
 */
class ConnectionLevelTest {
    /** Short, so the half-sent cases finish fast; the checks allow the sweep's lateness plus scheduling slack. */
    static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);
    static final int CAP = 8;
    static final ObjectMapper JSON = new ObjectMapper();

    /** Read timeout 1 s, default cap. */
    static JmistralServer quick;
    /** Read timeout 60 s, cap 8: idle connections stay open for the cap checks. */
    static JmistralServer capped;

    @BeforeAll
    static void start() {
        quick = new JmistralServer(ServerOptions.loopback(0).withConnectionLimits(SHORT_TIMEOUT, ServerOptions.DEFAULT_MAX_CONNECTIONS),
                new EchoEngine()).start();
        capped = new JmistralServer(ServerOptions.loopback(0).withConnectionLimits(Duration.ofSeconds(60), CAP),
                new EchoEngine()).start();
    }

    @AfterAll
    static void stop() {
        quick.close();
        capped.close();
    }

    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4}";

    @Test
    void halfSentRequestsAndSilentConnectionsAreClosedWithinTheReadTimeout() throws Exception {
        Map<String, String> partial = new LinkedHashMap<>();
        partial.put("nothing sent", "");
        partial.put("half a request line", "POST /v1/chat/compl");
        partial.put("half the headers", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Ty");
        partial.put("declared body never sent", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + CHAT.length() + "\r\n\r\n");
        partial.put("part of the body", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + CHAT.length() + "\r\n\r\n" + CHAT.substring(0, 20));
        partial.put("chunked body stopped", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n10\r\n" + CHAT.substring(0, 16) + "\r\n");
        partial.put("idle after one request", "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");

        List<LogRecord> logged = captureLogs();
        try {
            // all at once: one wait of the timeout for the lot
            List<Socket> sockets = new ArrayList<>();
            for (String bytes : partial.values()) {
                Socket s = new Socket("127.0.0.1", quick.port());
                s.setSoTimeout(15_000);
                s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                sockets.add(s);
            }
            long start = System.nanoTime();
            int i = 0;
            for (String name : partial.keySet()) {
                try (Socket s = sockets.get(i++)) {
                    String answer = readUntilClosed(s);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    // closed after the timeout, at most a sweep period (a quarter) late, plus slack for a busy machine
                    assertTrue(seconds < SHORT_TIMEOUT.toSeconds() + 4, name + ": closed after " + seconds + " s");
                    if (name.equals("idle after one request")) assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                    else assertEquals("", answer, name + ": closed without an answer");
                }
            }
            Thread.sleep(300); // the last log lines
        } finally {
            stopCapturing();
        }
        // one line per connection cut mid-request, none for the routine idle keep-alive close, never a stack trace
        List<LogRecord> cuts = logged.stream().filter(r -> r.getMessage().startsWith("closed connection from")).toList();
        assertEquals(partial.size() - 1, cuts.stream().filter(r -> r.getLevel() == Level.INFO).count(), describe(logged));
        for (LogRecord r : logged) assertNull(r.getThrown(), "stack trace logged: " + describe(List.of(r)));
        assertTrue(cuts.stream().anyMatch(r -> r.getMessage().endsWith("waiting for the request body")), describe(cuts));
        assertTrue(cuts.stream().anyMatch(r -> r.getMessage().endsWith("waiting for the request headers")), describe(cuts));
        assertHealthy(quick);
    }

    @Test
    void clientsThatVanishMidRequestLeaveOneLineAtMostAndNoStackTrace() throws Exception {
        List<String> halves = List.of("", "GET /hea", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mo",
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mo");
        List<LogRecord> logged = captureLogs();
        try {
            for (int round = 0; round < 25; round++) {
                for (String half : halves) {
                    Socket s = new Socket("127.0.0.1", quick.port());
                    s.getOutputStream().write(half.getBytes(StandardCharsets.ISO_8859_1));
                    if (round % 2 == 0) s.setSoLinger(true, 0); // half of them reset instead of closing
                    s.close();
                }
            }
            assertHealthy(quick);
            Thread.sleep(300);
        } finally {
            stopCapturing();
        }
        for (LogRecord r : logged) assertNull(r.getThrown(), "stack trace logged: " + describe(List.of(r)));
        assertTrue(logged.size() <= 100, "at most one line per vanished client: " + describe(logged));
    }

    @Test
    void connectionsPastTheCapAreRefusedAtOnceWithA503() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                Socket s = new Socket("127.0.0.1", capped.port());
                s.setSoTimeout(10_000);
                // a served request proves the connection holds a slot (then it idles, keep-alive)
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(readOneResponse(s.getInputStream()).startsWith("HTTP/1.1 200"));
                held.add(s);
            }
            for (int i = 0; i < 3; i++) {
                try (Socket extra = new Socket("127.0.0.1", capped.port())) {
                    extra.setSoTimeout(10_000); // refused at once: no wait for a timeout
                    extra.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    String answer = readOneResponse(extra.getInputStream());
                    assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                    assertTrue(answer.toLowerCase().contains("connection: close"), answer);
                    assertTrue(answer.contains("Retry-After: 1"), answer);
                    assertEquals("too_many_connections", body(answer).path("error").path("code").asText(), answer);
                }
            }
        } finally {
            for (Socket s : held) s.close();
        }
        assertHealthy(capped); // the slots come back when the held connections close
    }

    @Test
    void connectionCloseFromTheClientClosesTheSocketAfterTheAnswer() throws Exception {
        for (String request : List.of("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + CHAT.length() + "\r\n\r\n" + CHAT,
                "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
            try (Socket s = new Socket("127.0.0.1", capped.port())) {
                s.setSoTimeout(10_000); // the server's read timeout is 60 s: only an honoured close ends this read
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String answer = readUntilClosed(s);
                assertTrue(answer.startsWith("HTTP/1.1 "), answer);
                assertTrue(answer.toLowerCase().contains("connection: close"), answer);
            }
        }
    }

    @Test
    void malformedRequestsGetAJson400NamingThePart() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("\u0001\u00ff\u0013garbage\r\n\r\n", "request_line");
        cases.put("GET\r\n\r\n", "request_line");
        cases.put("GET  HTTP/1.1\r\n\r\n", "request_line");
        cases.put("GET / HTTP/9.9\r\nHost: x\r\n\r\n", "request_line");
        cases.put("\u00e9\u00e9\u00e9 / HTTP/1.1\r\nHost: x\r\n\r\n", "request_line");
        cases.put("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "request_line");
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", "headers");
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n", "headers");
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", "headers");
        cases.put("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "body");
        cases.put("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "body");
        cases.put("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nhello\r\n0\r\n\r\n", "body");
        for (var c : cases.entrySet()) {
            String what = c.getKey().substring(0, Math.min(60, c.getKey().length()));
            String answer;
            try (Socket s = new Socket("127.0.0.1", quick.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(c.getKey().getBytes(StandardCharsets.ISO_8859_1));
                answer = readOneResponse(s.getInputStream());
            }
            assertTrue(answer.matches("(?s)HTTP/1\\.1 4\\d\\d .*"), what + " -> " + answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);
            JsonNode error = body(answer).path("error");
            assertEquals("invalid_request_error", error.path("type").asText(), what + " -> " + answer);
            assertEquals(c.getValue(), error.path("param").asText(), what + " -> " + answer);
            assertFalse(error.path("message").asText().isBlank(), answer);
            for (String leak : List.of("Exception", "java.", "helidon", "garbage")) {
                assertFalse(answer.contains(leak), what + " leaks '" + leak + "': " + answer);
            }
        }
        assertHealthy(quick);
    }

    /** The check at test scale (its full 20,000 is {@code jmistral.bench.IdleConnectionsCheck}). */
    @Test
    void thousandsOfIdleConnectionsOpenedAndClosedLeaveTheServerAccepting() throws Exception {
        int n = 3000;
        List<Socket> idle = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) idle.add(new Socket("127.0.0.1", quick.port()));
            assertHealthy(quick); // while they are open
        } finally {
            for (int i = 0; i < idle.size(); i++) {
                if (i % 2 == 0) idle.get(i).setSoLinger(true, 0); // half reset, half close
                idle.get(i).close();
            }
        }
        assertHealthy(quick);
    }

    // ---- helpers

    static JsonNode body(String answer) throws IOException {
        return JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }

    /** Everything the server sends until it closes (a reset after its answer counts as the close). */
    static String readUntilClosed(Socket s) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection: " + got.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketException reset) {
            // reset after the answer
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** Headers and a Content-Length body of one response. */
    static String readOneResponse(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; !HostileHttpFuzzTest.complete(got) && (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    static void assertHealthy(JmistralServer server) throws IOException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String answer = "";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                answer = readUntilClosed(s);
                if (answer.startsWith("HTTP/1.1 200")) return;
            }
        }
        fail("server not healthy: " + answer);
    }

    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue() && !r.getLoggerName().startsWith("jmistral.server.RequestLog")) RECORDS.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    static List<LogRecord> captureLogs() {
        RECORDS.clear();
        Logger.getLogger("").addHandler(CAPTURE);
        return RECORDS;
    }

    static void stopCapturing() {
        Logger.getLogger("").removeHandler(CAPTURE);
    }

    static String describe(List<LogRecord> records) {
        StringBuilder b = new StringBuilder();
        for (LogRecord r : records) {
            b.append('\n').append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage());
            if (r.getThrown() != null) b.append(" [").append(r.getThrown()).append(']');
        }
        return b.toString();
    }
}
