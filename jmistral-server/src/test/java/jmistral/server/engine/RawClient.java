package jmistral.server.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 client on a plain socket, for the tests that hang up in the middle of a request (closing
 * the socket, as a killed process or a cancelled SDK call does): what the JDK's client hides.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Sends {@code POST path} with a JSON body (and the test key); the answer is left to read. */
    static RawClient post(int port, String path, String json, String userAgent) throws IOException {
        RawClient c = new RawClient(new Socket("127.0.0.1", port));
        c.send(path, json, userAgent);
        return c;
    }

    /** Sends one more request on this connection (without waiting for the answers before it: pipelining). */
    void send(String path, String json, String userAgent) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort() + "\r\n"
                + "Authorization: Bearer " + SynthServer.API_KEY + "\r\nContent-Type: application/json\r\n"
                + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** An answer with a Content-Length body: its status and body. */
    record Answer(int status, String body) {}

    /** Reads the next whole answer (status line, headers, Content-Length body). */
    Answer readAnswer() throws IOException {
        String status = line();
        int length = 0;
        for (String h; !(h = line()).isEmpty(); ) {
            if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
        }
        return new Answer(Integer.parseInt(status.split(" ")[1]), new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) throw new IOException("the connection closed in the middle of an answer");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Reads lines until one starts with {@code prefix} (a stream's first {@code data: }); false at end of stream. */
    boolean awaitLine(String prefix) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                if (line.toString(StandardCharsets.UTF_8).startsWith(prefix)) return true;
                line.reset();
            } else {
                line.write(b);
            }
        }
        return false;
    }

    /** Whether any byte of an answer has arrived (a 429 comes at once; a blocking answer only at its end). */
    boolean answered() throws IOException {
        return in.available() > 0;
    }

    /** Hangs up: the socket is closed (FIN, or RST when answer bytes were left unread). */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
