package jmistral.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The three Hub API calls a download needs:
 * <ol>
 *   <li>{@code GET /api/models/REPO/revision/REV} - the commit sha a branch or tag points to;</li>
 *   <li>{@code GET /api/models/REPO/tree/COMMIT?recursive=true} - every file with its size and LFS sha256
 *       (paged through the {@code Link: <...>; rel="next"} header);</li>
 *   <li>{@code HEAD /REPO/resolve/COMMIT/PATH} - the file's ETag (the blob name in the cache), size and
 *       commit, read from the first response as huggingface_hub does.</li>
 * </ol>
 */
public final class HubClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final HubHttp http;

    public HubClient(HubHttp http) {
        this.http = http;
    }

    public HubHttp http() { return http; }

    /** What the HEAD of a resolve URL says about a file. */
    public record FileMetadata(String commit, String etag, long size, URI location) { }

    /** The commit sha that {@code revision} (branch, tag or sha) points to. */
    public String resolveCommit(RepoId repo, String revision) {
        URI uri = api(repo, "revision/" + encodeSegment(revision));
        HttpResponse<String> resp = http.getText(uri, new HubHttp.Target(repo, revision, null));
        JsonNode sha = parse(resp.body(), uri).get("sha");
        if (sha == null || !HfCache.isCommitHash(sha.asText()))
            throw new HubException(HubException.Kind.NETWORK, "the Hub's answer for " + uri + " has no commit sha");
        return sha.asText();
    }

    /** Every file of {@code repo} at {@code commit}. */
    public List<RepoFile> listFiles(RepoId repo, String commit) {
        List<RepoFile> files = new ArrayList<>();
        URI uri = URI.create(api(repo, "tree/" + encodeSegment(commit)) + "?recursive=true");
        for (int page = 0; uri != null; page++) {
            if (page > 10_000) throw new HubException(HubException.Kind.NETWORK, "endless paging at " + uri);
            HttpResponse<String> resp = http.getText(uri, new HubHttp.Target(repo, commit, null));
            JsonNode arr = parse(resp.body(), uri);
            if (!arr.isArray()) throw new HubException(HubException.Kind.NETWORK, "tree listing at " + uri + " is not a JSON array");
            for (JsonNode e : arr) {
                if (!"file".equals(e.path("type").asText())) continue;
                JsonNode lfs = e.get("lfs");
                String lfsSha = lfs != null && lfs.hasNonNull("oid") ? lfs.get("oid").asText() : null;
                long size = lfs != null && lfs.has("size") ? lfs.get("size").asLong() : e.path("size").asLong(-1);
                files.add(new RepoFile(e.path("path").asText(), size, e.hasNonNull("oid") ? e.get("oid").asText() : null, lfsSha));
            }
            uri = resp.headers().firstValue("Link").map(l -> nextLink(l, resp.uri())).orElse(null);
        }
        return files;
    }

    /** HEAD of the resolve URL: ETag, size, commit and where the content lives. */
    public FileMetadata fileMetadata(RepoId repo, String revision, String path) {
        URI uri = resolveUrl(repo, revision, path);
        HttpResponse<Void> resp = http.head(uri, new HubHttp.Target(repo, revision, path));
        var h = resp.headers();
        String etag = HubHttp.normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
        if (etag == null)
            throw new HubException(HubException.Kind.NETWORK, "the Hub sent no ETag for " + path + " in " + repo
                    + "; is HF_ENDPOINT (" + http.config().endpoint() + ") a Hugging Face Hub?");
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        URI location = h.firstValue("Location").map(uri::resolve).orElse(uri);
        return new FileMetadata(commit, etag, size, location);
    }

    /** {@code ENDPOINT/REPO/resolve/REVISION/PATH}, revision and path percent-encoded. */
    public URI resolveUrl(RepoId repo, String revision, String path) {
        StringBuilder sb = new StringBuilder(http.config().endpoint()).append('/').append(repo)
                .append("/resolve/").append(encodeSegment(revision));
        for (String seg : path.split("/")) sb.append('/').append(encodeSegment(seg));
        return URI.create(sb.toString());
    }

    private URI api(RepoId repo, String rest) {
        return URI.create(http.config().endpoint() + "/api/models/" + repo + "/" + rest);
    }

    private static JsonNode parse(String body, URI uri) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new HubException(HubException.Kind.NETWORK, "the answer from " + uri + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static URI nextLink(String linkHeader, URI base) {
        Matcher m = NEXT_LINK.matcher(linkHeader);
        return m.find() ? base.resolve(m.group(1)) : null;
    }

    /** Percent-encodes one path segment (RFC 3986 unreserved characters stay as they are). */
    static String encodeSegment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') sb.append((char) c);
            else sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
        }
        return sb.toString();
    }
}
