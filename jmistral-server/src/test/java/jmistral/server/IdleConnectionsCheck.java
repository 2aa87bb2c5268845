package jmistral.server;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 17's check at full size: 20,000 idle connections opened and closed against the server (stand-in engine,
 * default options: read timeout 20 s, cap 4096), then the server must still answer /health and serve a request.
 * Connections are opened in waves of {@code batch} held open together (client and server sockets of one process
 * must stay under its descriptor limit), half closed and half reset; after each wave and at the end the check
 * prints how long /health took and the process's open descriptors (no leak: back to where it started).
 *
 * <pre>
 * java -cp (server test classpath) jmistral.server.IdleConnectionsCheck [total=20000] [batch=5000]
 * </pre>
 */
public final class IdleConnectionsCheck {
    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        try (JmistralServer server = new JmistralServer(ServerOptions.loopback(0), new EchoEngine()).start()) {
            long fdsBefore = openDescriptors();
            System.out.printf("server on port %d, read timeout %s, cap %d; open descriptors %d%n", server.port(),
                    ServerOptions.DEFAULT_READ_TIMEOUT, ServerOptions.DEFAULT_MAX_CONNECTIONS, fdsBefore);
            long start = System.nanoTime();
            int opened = 0;
            while (opened < total) {
                int n = Math.min(batch, total - opened);
                List<Socket> idle = new ArrayList<>(n);
                long t0 = System.nanoTime();
                try {
                    for (int i = 0; i < n; i++) idle.add(new Socket("127.0.0.1", server.port()));
                } finally {
                    for (int i = 0; i < idle.size(); i++) {
                        if (i % 2 == 0) idle.get(i).setSoLinger(true, 0);
                        idle.get(i).close();
                    }
                }
                opened += idle.size();
                double wave = (System.nanoTime() - t0) / 1e9;
                double health = secondsToHealthy(server);
                System.out.printf("%,d opened and closed (wave of %,d in %.2f s); /health 200 after %.3f s; open descriptors %d%n",
                        opened, n, wave, health, openDescriptors());
            }
            // the connections over the cap were answered 503 and linger up to 1 s; give them that and compare
            Thread.sleep(3000);
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"still here\"}]}";
            String chat = exchange(server, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            System.out.printf("all %,d in %.1f s; afterwards a chat request answers %s; open descriptors %d (before: %d)%n",
                    total, (System.nanoTime() - start) / 1e9, chat.substring(0, chat.indexOf("\r\n")), openDescriptors(), fdsBefore);
        }
    }

    static double secondsToHealthy(JmistralServer server) throws IOException {
        long t0 = System.nanoTime();
        while (true) {
            String answer = exchange(server, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            if (answer.startsWith("HTTP/1.1 200")) return (System.nanoTime() - t0) / 1e9;
            if (System.nanoTime() - t0 > 60_000_000_000L) throw new IllegalStateException("not healthy after 60 s: " + answer);
        }
    }

    static String exchange(JmistralServer server, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static long openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
