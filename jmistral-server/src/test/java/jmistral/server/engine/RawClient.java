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
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Authorization: Bearer " + SynthServer.API_KEY + "\r\nContent-Type: application/json\r\n"
                + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        OutputStream out = c.socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return c;
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
