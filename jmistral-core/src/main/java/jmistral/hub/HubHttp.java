package jmistral.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP plumbing shared by {@link HubClient} and {@link FileDownloader}: one {@link HttpClient}, the
 * token, redirects followed by hand (the token is only sent to the Hub's own host, never to the CDN a
 * download is redirected to) and Hub error responses turned into {@link HubException}s that say what
 * to do.
 */
public final class HubHttp {

    static final String USER_AGENT = "jmistral/0.1.0; java/" + Runtime.version().feature();
    private static final int MAX_REDIRECTS = 10;

    private final HubConfig config;
    private final HttpClient client;
    private final URI endpointUri;

    public HubHttp(HubConfig config) {
        this.config = config;
        this.endpointUri = URI.create(config.endpoint() + "/");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)  // one TCP connection per chunk: parallel ranges really run in parallel
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    public HubConfig config() { return config; }

    /** What a request was about, for error messages. */
    record Target(RepoId repo, String revision, String path) {
        String describe() {
            return path == null ? "repository " + repo + (revision == null ? "" : " (revision " + revision + ")")
                    : "file " + path + " in " + repo + (revision == null ? "" : " (revision " + revision + ")");
        }
    }

    /** GET of a small JSON/text document from the Hub API; returns the body, throws HubException on errors. */
    HttpResponse<String> getText(URI uri, Target target) {
        ensureOnline(uri);
        HttpRequest req = request(uri, "GET", Duration.ofSeconds(60)).build();
        HttpResponse<String> resp = sendFollowing(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), true);
        if (resp.statusCode() != 200) throw error(resp.statusCode(), resp.headers(), target, resp.uri());
        return resp;
    }

    /**
     * HEAD that follows only relative redirects (a renamed repo), and stops at the first absolute redirect
     * (the CDN): that response carries X-Linked-Etag / X-Linked-Size / X-Repo-Commit, as in
     * huggingface_hub's get_hf_file_metadata.
     */
    HttpResponse<Void> head(URI uri, Target target) {
        ensureOnline(uri);
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest req = request(current, "HEAD", Duration.ofSeconds(60))
                    .header("Accept-Encoding", "identity").build();
            HttpResponse<Void> resp = send(req, HttpResponse.BodyHandlers.discarding());
            int code = resp.statusCode();
            if (code >= 300 && code < 400) {
                String loc = resp.headers().firstValue("Location").orElse(null);
                if (loc != null && URI.create(loc).getHost() == null) { // relative: same server, follow
                    current = current.resolve(loc);
                    continue;
                }
                return resp;
            }
            if (code >= 200 && code < 300) return resp;
            throw error(code, resp.headers(), target, current);
        }
        throw new HubException(HubException.Kind.NETWORK, "too many redirects for " + uri);
    }

    /**
     * GET of file content, bytes [from, to] inclusive (to = -1: to the end; from = 0 and to = -1: no
     * Range header), following every redirect. Returns the open response (200 or 206); the caller closes
     * the body.
     */
    HttpResponse<InputStream> getContent(URI uri, long from, long to, Target target) {
        ensureOnline(uri);
        HttpRequest.Builder b = request(uri, "GET", Duration.ofSeconds(60)).header("Accept-Encoding", "identity");
        if (from > 0 || to >= 0) b.header("Range", "bytes=" + from + "-" + (to >= 0 ? Long.toString(to) : ""));
        HttpResponse<InputStream> resp = sendFollowing(b.build(), HttpResponse.BodyHandlers.ofInputStream(), false);
        int code = resp.statusCode();
        if (code == 200 || code == 206) return resp;
        try (InputStream in = resp.body()) {
            in.transferTo(OutputStreamSink.INSTANCE);
        } catch (IOException ignored) {
            // the error status is what matters
        }
        if (code == 416) throw new RangeNotSatisfiable();
        throw error(code, resp.headers(), target, resp.uri());
    }

    /** The server refused a Range (416). */
    static final class RangeNotSatisfiable extends RuntimeException {
        RangeNotSatisfiable() { super("416 Range Not Satisfiable", null, false, false); }
    }

    private <T> HttpResponse<T> sendFollowing(HttpRequest first, HttpResponse.BodyHandler<T> handler, boolean apiCall) {
        HttpRequest req = first;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<T> resp = send(req, handler);
            int code = resp.statusCode();
            if (code < 300 || code >= 400 || code == 304) return resp;
            String loc = resp.headers().firstValue("Location").orElse(null);
            if (loc == null) return resp;
            if (resp.body() instanceof InputStream in) closeQuietly(in);
            URI next = req.uri().resolve(loc);
            HttpRequest.Builder nb = HttpRequest.newBuilder(next).method(req.method(), HttpRequest.BodyPublishers.noBody())
                    .timeout(req.timeout().orElse(Duration.ofSeconds(60)));
            req.headers().map().forEach((k, vs) -> {
                if (k.equalsIgnoreCase("Authorization")) return;
                vs.forEach(v -> nb.header(k, v));
            });
            if (config.token() != null && sameHost(next, endpointUri)) nb.header("Authorization", "Bearer " + config.token());
            req = nb.build();
        }
        throw new HubException(HubException.Kind.NETWORK, "too many redirects for " + first.uri());
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(req, handler);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.NETWORK, "cannot reach " + req.uri().getScheme() + "://"
                    + req.uri().getAuthority() + " (" + e + "); check the network, or set HF_HUB_OFFLINE=1 to use cached models only", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.NETWORK, "interrupted while talking to " + req.uri().getAuthority(), e);
        }
    }

    private HttpRequest.Builder request(URI uri, String method, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(timeout).header("User-Agent", USER_AGENT);
        if (config.token() != null && sameHost(uri, endpointUri)) b.header("Authorization", "Bearer " + config.token());
        return b;
    }

    private void ensureOnline(URI uri) {
        if (config.offline())
            throw new HubException(HubException.Kind.OFFLINE_NOT_CACHED,
                    "offline mode (HF_HUB_OFFLINE=1) forbids reaching " + uri);
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    /** Maps a Hub error status to a message the user can act on (cf. huggingface_hub's hf_raise_for_status). */
    HubException error(int code, java.net.http.HttpHeaders headers, Target t, URI uri) {
        String errorCode = headers.firstValue("X-Error-Code").orElse("");
        String serverMsg = headers.firstValue("X-Error-Message").map(m -> " (server: " + m + ")").orElse("");
        String page = config.endpoint() + "/" + t.repo();
        boolean hasToken = config.token() != null;
        if (errorCode.equals("GatedRepo") || (code == 403 && !errorCode.equals("RepoNotFound"))) {
            return new HubException(HubException.Kind.ACCESS_DENIED, t.repo() + " is a gated repository"
                    + (hasToken ? " and the account of HF_TOKEN has not been granted access" : " and no token was given")
                    + ": open " + page + ", log in and accept the conditions, then create a read token at "
                    + config.endpoint() + "/settings/tokens and set HF_TOKEN to it (HTTP " + code + ")" + serverMsg);
        }
        if (errorCode.equals("RepoNotFound") || (code == 401)) {
            return new HubException(code == 401 && !errorCode.equals("RepoNotFound") ? HubException.Kind.ACCESS_DENIED
                    : HubException.Kind.NOT_FOUND,
                    "repository " + t.repo() + " not found on " + config.endpoint() + " (HTTP " + code + "): check the name"
                    + (hasToken ? "; if it is private, check that HF_TOKEN can read it" : "; if it is private or gated, set HF_TOKEN")
                    + serverMsg);
        }
        if (code == 404) {
            if (errorCode.equals("RevisionNotFound"))
                return new HubException(HubException.Kind.NOT_FOUND, "revision " + t.revision() + " not found in " + t.repo() + serverMsg);
            return new HubException(HubException.Kind.NOT_FOUND, t.describe() + " not found (HTTP 404)" + serverMsg);
        }
        boolean retryable = code >= 500 || code == 408 || code == 429;
        return new HubException(retryable ? HubException.Kind.NETWORK : HubException.Kind.HTTP_ERROR, "the Hub answered HTTP " + code + " for " + t.describe()
                + " (" + uri + ")" + serverMsg);
    }

    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e.isEmpty() ? null : e;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }

    /** Discards bytes (draining an error body). */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();
        @Override public void write(int b) { }
        @Override public void write(byte[] b, int off, int len) { }
    }
}
