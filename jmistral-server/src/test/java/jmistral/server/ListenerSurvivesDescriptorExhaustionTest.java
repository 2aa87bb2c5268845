package jmistral.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The listener survives EMFILE: a child JVM under {@code ulimit -n 512} runs the server
 * ({@link DescriptorExhaustionServer}) and is told to use up its descriptors. While it has none, /health on a
 * connection opened before answers 503 {@code not_accepting} and new connections get no answer; once the
 * descriptors are freed, the server accepts and answers again. Whether Helidon's accept itself hits EMFILE here
 * (its listener then gives up and the watchdog reopens it) depends on how many descriptors the child still had
 * spare when it reported exhaustion, so this test does not insist on that path.
 */
class ListenerSurvivesDescriptorExhaustionTest {
    static final String HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void theListenerAcceptsAgainOnceDescriptorsAreFree() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "ulimit -n 512 && exec \"$JM_JAVA\" --add-modules jdk.incubator.vector "
                + "-cp \"$JM_CP\" jmistral.server.DescriptorExhaustionServer");
        pb.environment().put("JM_JAVA", java);
        pb.environment().put("JM_CP", System.getProperty("java.class.path"));
        pb.redirectErrorStream(true);
        Process child = pb.start();
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
        StringBuilder log = new StringBuilder();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) { log.append(line).append('\n'); }
                    lines.offer(line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
        PrintWriter commands = new PrintWriter(child.getOutputStream(), true);
        try {
            int port = Integer.parseInt(await(lines, "port ", log).substring(5).trim());
            try (Socket keptOpen = new Socket("127.0.0.1", port)) {
                keptOpen.setSoTimeout(10_000);
                assertTrue(ask(keptOpen, HEALTH).startsWith("HTTP/1.1 200"), log.toString());

                commands.println("exhaust");
                await(lines, "exhausted ", log);
                String unhealthy = ask(keptOpen, HEALTH);
                assertTrue(unhealthy.startsWith("HTTP/1.1 503"), unhealthy);
                // the reason: no descriptors, or (when the watchdog's probe already made the accept fail) the listener
                assertTrue(unhealthy.contains("\"not_accepting\""), unhealthy);

                // new connections while none are left: Helidon's accept fails (its listener gives up); several, as
                // a descriptor or two may still be free when the child reports exhaustion (its own output, the probe)
                for (int i = 0; i < 4; i++) {
                    try (Socket refused = new Socket("127.0.0.1", port)) {
                        refused.setSoTimeout(1_500);
                        String answer = "";
                        try {
                            answer = ask(refused, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                        } catch (IOException expected) {
                            // reset or no answer
                        }
                        assertFalse(answer.startsWith("HTTP/1.1 200"), answer);
                    } catch (IOException refusedOutright) {
                        // the listening socket is already closed
                    }
                }
            } catch (IOException connectionClosedWithTheListener) {
                // the old listener closes its connections when it gives up
            }
            commands.println("free");
            await(lines, "freed", log);

            long deadline = System.nanoTime() + 20_000_000_000L;
            String answer = "";
            while (System.nanoTime() < deadline && !answer.startsWith("HTTP/1.1 200")) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(3_000);
                    answer = ask(s, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertTrue(answer.startsWith("HTTP/1.1 200"), "not accepting again after descriptors were freed: " + answer + "\n" + log);
            commands.println("quit");
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), log.toString());
        } finally {
            child.destroyForcibly();
        }
    }

    static String await(BlockingQueue<String> lines, String prefix, StringBuilder log) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) return line;
        }
        throw new AssertionError("child never printed '" + prefix + "':\n" + log);
    }

    /** One request on the socket; its response (headers and Content-Length body). */
    static String ask(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        String answer = ConnectionLevelTest.readOneResponse(s.getInputStream());
        if (answer.isEmpty()) throw new IOException("closed without an answer");
        return answer;
    }
}
