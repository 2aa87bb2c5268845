package jmistral.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small stand-in for the Hugging Face Hub on 127.0.0.1, speaking the endpoints the client uses:
 * <ul>
 *   <li>{@code GET /api/models/O/N/revision/REV} -> {@code {"sha": COMMIT}};</li>
 *   <li>{@code GET /api/models/O/N/tree/REV?recursive=true} -> file list, paged by {@link #pageSize} with a Link header;</li>
 *   <li>{@code HEAD|GET /O/N/resolve/REV/PATH}: plain files answered directly (ETag = git blob sha1); LFS files
 *       answered with 302 to {@code /cdn/O/N/SHA256} plus X-Linked-Etag, X-Linked-Size, X-Repo-Commit;</li>
 *   <li>Range requests (206), gated repos (401 without token, 403 with a wrong one, X-Error-Code GatedRepo),
 *       404 with X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound;</li>
 *   <li>fault injection: drop the connection after N bytes, flip one byte, ignore Range.</li>
 * </ul>
 * Every request is logged as "METHOD PATH [RANGE]".
 */
final class MockHub implements AutoCloseable {

    static final class Repo {
        final String id;
        String commit;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final Set<String> lfs = ConcurrentHashMap.newKeySet();
        String token;   // non-null: gated, this token has access

        Repo(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        Repo file(String path, byte[] content, boolean isLfs) {
            files.put(path, content);
            if (isLfs) lfs.add(path);
            return this;
        }
    }

    final Map<String, Repo> repos = new ConcurrentHashMap<>();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    volatile int pageSize = 3;
    volatile boolean acceptRanges = true;
    /** Content GETs still to cut short, and after how many body bytes. */
    final AtomicInteger dropsLeft = new AtomicInteger();
    volatile long dropAfterBytes = 100_000;
    /** Milliseconds each content GET waits before its body (a slow link, to overlap two pulls). */
    volatile long contentDelayMillis;
    /** Content GETs still to corrupt (one byte flipped). */
    final AtomicInteger corruptLeft = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    MockHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Repo addRepo(String id, String commit) {
        Repo r = new Repo(id, commit);
        repos.put(id, r);
        return r;
    }

    long count(String prefix) {
        synchronized (log) {
            return log.stream().filter(l -> l.startsWith(prefix)).count();
        }
    }

    List<String> requests(String prefix) {
        synchronized (log) {
            return log.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        log.add(method + " " + path + (range == null ? "" : " " + range));
        try {
            if (path.startsWith("/api/models/")) api(ex, path.substring("/api/models/".length()));
            else if (path.startsWith("/cdn/")) cdn(ex, path.substring("/cdn/".length()));
            else resolve(ex, path.substring(1));
        } finally {
            ex.close();
        }
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        String[] p = rest.split("/", 5);   // O, N, revision|tree, REV
        if (p.length < 4) { error(ex, 404, "EntryNotFound"); return; }
        Repo repo = repos.get(p[0] + "/" + p[1]);
        if (repo == null) { error(ex, 404, "RepoNotFound"); return; }
        String rev = URLDecoder.decode(p[3], StandardCharsets.UTF_8);
        if (!rev.equals("main") && !rev.equals(repo.commit)) { error(ex, 404, "RevisionNotFound"); return; }
        if (p[2].equals("revision")) {
            json(ex, "{\"id\":\"" + repo.id + "\",\"sha\":\"" + repo.commit + "\",\"siblings\":[]}", null);
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        if (query == null || !query.contains("recursive=true")) { error(ex, 400, "BadRequest"); return; }
        int cursor = query.contains("cursor=") ? Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
        List<String> paths = new ArrayList<>(repo.files.keySet());
        StringBuilder sb = new StringBuilder("[");
        int end = Math.min(paths.size(), cursor + pageSize);
        // the real Hub lists folders too: add one directory entry to make sure it is skipped
        if (cursor == 0) sb.append("{\"type\":\"directory\",\"oid\":\"0\",\"size\":0,\"path\":\"somedir\"},");
        for (int i = cursor; i < end; i++) {
            String f = paths.get(i);
            byte[] c = repo.files.get(f);
            if (i > cursor) sb.append(',');
            sb.append("{\"type\":\"file\",\"path\":\"").append(f).append("\",\"size\":")
                    .append(repo.lfs.contains(f) ? 134 : c.length).append(",\"oid\":\"")
                    .append(repo.lfs.contains(f) ? gitSha1(("pointer " + f).getBytes()) : gitSha1(c)).append('"');
            if (repo.lfs.contains(f))
                sb.append(",\"lfs\":{\"oid\":\"").append(sha256(c)).append("\",\"size\":").append(c.length)
                        .append(",\"pointerSize\":134}");
            sb.append('}');
        }
        sb.append(']');
        String link = end < paths.size() ? "<" + endpoint() + ex.getRequestURI().getRawPath()
                + "?recursive=true&cursor=" + end + ">; rel=\"next\"" : null;
        json(ex, sb.toString(), link);
    }

    private void resolve(HttpExchange ex, String rest) throws IOException {
        String[] p = rest.split("/", 5);   // O, N, resolve, REV, PATH
        if (p.length < 5 || !p[2].equals("resolve")) { error(ex, 404, null); return; }
        Repo repo = repos.get(p[0] + "/" + p[1]);
        if (repo == null) { error(ex, 404, "RepoNotFound"); return; }
        String rev = URLDecoder.decode(p[3], StandardCharsets.UTF_8);
        if (!rev.equals("main") && !rev.equals(repo.commit)) { error(ex, 404, "RevisionNotFound"); return; }
        if (repo.token != null) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null) { error(ex, 401, "GatedRepo"); return; }
            if (!auth.equals("Bearer " + repo.token)) { error(ex, 403, "GatedRepo"); return; }
        }
        String file = URLDecoder.decode(p[4], StandardCharsets.UTF_8);
        byte[] c = repo.files.get(file);
        if (c == null) { error(ex, 404, "EntryNotFound"); return; }
        ex.getResponseHeaders().set("X-Repo-Commit", repo.commit);
        if (repo.lfs.contains(file)) {
            String sha = sha256(c);
            ex.getResponseHeaders().set("ETag", "\"" + gitSha1(("pointer " + file).getBytes()) + "\"");
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(c.length));
            ex.getResponseHeaders().set("Location", endpoint() + "/cdn/" + repo.id + "/" + sha);
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + gitSha1(c) + "\"");
        content(ex, c);
    }

    private void cdn(HttpExchange ex, String rest) throws IOException {
        int slash = rest.lastIndexOf('/');
        Repo repo = repos.get(rest.substring(0, slash));
        String sha = rest.substring(slash + 1);
        if (repo != null) for (String f : repo.lfs) {
            if (sha256(repo.files.get(f)).equals(sha)) {
                content(ex, repo.files.get(f));
                return;
            }
        }
        error(ex, 404, null);
    }

    /** Serves bytes, honouring Range and the injected faults. */
    private void content(HttpExchange ex, byte[] c) throws IOException {
        long from = 0, to = c.length - 1;
        int code = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && acceptRanges && range.startsWith("bytes=")) {
            String[] r = range.substring(6).split("-", -1);
            from = Long.parseLong(r[0]);
            if (!r[1].isEmpty()) to = Math.min(to, Long.parseLong(r[1]));
            if (from >= c.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + c.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            code = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + c.length);
        }
        if (acceptRanges) ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        long len = to - from + 1;
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(len));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        if (contentDelayMillis > 0) {
            try {
                Thread.sleep(contentDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("mock: interrupted");
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(c, (int) from, (int) to + 1);
        if (body.length > 10 && corruptLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) body[body.length / 2] ^= 0x40;
        ex.sendResponseHeaders(code, len);
        OutputStream out = ex.getResponseBody();
        if (len > dropAfterBytes && dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.write(body, 0, (int) dropAfterBytes);
            out.flush();
            throw new IOException("mock: dropping the connection mid-body");   // the server closes the socket
        }
        out.write(body);
    }

    private static void json(HttpExchange ex, String body, String link) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (link != null) ex.getResponseHeaders().set("Link", link);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static void error(HttpExchange ex, int code, String errorCode) throws IOException {
        if (errorCode != null) {
            ex.getResponseHeaders().set("X-Error-Code", errorCode);
            ex.getResponseHeaders().set("X-Error-Message", "mock " + errorCode);
        }
        byte[] b = ("{\"error\":\"" + errorCode + "\"}").getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
        } else {
            ex.sendResponseHeaders(code, b.length);
            ex.getResponseBody().write(b);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitSha1(byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
