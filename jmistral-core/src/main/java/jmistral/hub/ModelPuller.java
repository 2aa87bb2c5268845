package jmistral.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Brings the files of {@code REPO[:QUANT]} at a revision into the cache (or finds them there) and
 * returns the snapshot:
 * <ol>
 *   <li>revision -> commit ({@code refs/} when offline), the file list, {@link RepoFileSelector};</li>
 *   <li>for each file: reuse the snapshot link or an existing blob, else HEAD for its ETag;</li>
 *   <li>check free disk space for everything still missing, then download each file
 *       ({@link FileDownloader}), verify its SHA-256 (LFS) or git sha1, move it to {@code blobs/ETAG},
 *       link it into {@code snapshots/COMMIT/}, and record {@code refs/REVISION}.</li>
 * </ol>
 * A file whose hash does not match is deleted and never linked. Without network (offline mode, or the
 * Hub unreachable) the cached snapshot is used when it holds what was asked.
 */
public final class ModelPuller {

    private final HubConfig config;
    private final HfCache cache;
    private final HubClient client;
    private final FileDownloader downloader;
    private final Function<String, ProgressListener> progress;
    private final Consumer<String> log;
    private ToLongFunction<Path> usableSpace = ModelPuller::usableSpaceOf;

    /**
     * @param progress makes a progress listener per file name (e.g. a {@link ProgressBar} on stderr)
     * @param log      receives one-line notes (what is reused, offline fallbacks)
     */
    public ModelPuller(HubConfig config, FileDownloader.Options options, Function<String, ProgressListener> progress,
                       Consumer<String> log) {
        this.config = config;
        this.cache = new HfCache(config.hubCache());
        HubHttp http = new HubHttp(config);
        this.client = new HubClient(http);
        this.downloader = new FileDownloader(http, options);
        this.progress = progress;
        this.log = log;
    }

    /** A puller with default options, no progress bar and no notes. */
    public ModelPuller(HubConfig config) {
        this(config, FileDownloader.Options.defaults(), name -> ProgressListener.NONE, s -> { });
    }

    public HfCache cache() { return cache; }

    /** Replaces the free-space probe (tests). */
    void usableSpaceProbe(ToLongFunction<Path> probe) { this.usableSpace = probe; }

    /** Pulls {@code spec} at {@code revision} (null: "main"). */
    public PulledModel pull(ModelSpec spec, String revision) {
        String rev = revision == null || revision.isBlank() ? "main" : revision;
        if (config.offline()) return fromCache(spec, rev, "offline mode (HF_HUB_OFFLINE=1)");
        String commit;
        try {
            commit = client.resolveCommit(spec.repo(), rev);
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.NETWORK && isUnreachable(e)) {
                log.accept("cannot reach " + config.endpoint() + "; trying the local cache");
                return fromCache(spec, rev, e.getMessage());
            }
            throw e;
        }
        List<RepoFile> listing = client.listFiles(spec.repo(), commit);
        RepoFileSelector.Selection sel = RepoFileSelector.select(spec.repo().toString(), listing, spec.quant());
        long downloaded = fetchAll(spec.repo(), rev, commit, sel.all());
        cache.writeRef(spec.repo(), rev, commit);
        return new PulledModel(spec.repo(), commit, cache.snapshotDir(spec.repo(), commit), sel, downloaded);
    }

    /** The snapshot that refs/REVISION points to, with the asked files, without any network. */
    public PulledModel fromCache(ModelSpec spec, String revision, String why) {
        String commit = cache.readRef(spec.repo(), revision).orElse(null);
        List<RepoFile> files = commit == null ? List.of() : cache.snapshotFiles(spec.repo(), commit);
        if (files.isEmpty())
            throw new HubException(HubException.Kind.OFFLINE_NOT_CACHED, why + ": " + spec.repo()
                    + (revision.equals("main") ? "" : " at " + revision) + " is not in the cache " + config.hubCache()
                    + " and must be downloaded once: run this again with network access"
                    + (config.offline() ? " and HF_HUB_OFFLINE unset" : "")
                    + " (or copy its files into that cache)");
        try {
            RepoFileSelector.Selection sel = RepoFileSelector.select(spec.repo().toString(), files, spec.quant());
            return new PulledModel(spec.repo(), commit, cache.snapshotDir(spec.repo(), commit), sel, 0);
        } catch (HubException e) {
            throw new HubException(HubException.Kind.OFFLINE_NOT_CACHED, why + ": the cached snapshot of "
                    + spec.repo() + " lacks what was asked (" + e.getMessage() + ")", e);
        }
    }

    /** One selected file and what is known about its blob. */
    private record Plan(RepoFile file, String etag, boolean cached) { }

    private long fetchAll(RepoId repo, String rev, String commit, List<RepoFile> files) {
        List<Plan> plans = new ArrayList<>();
        long needed = 0;
        for (RepoFile f : files) {
            Path pointer = cache.snapshotFile(repo, commit, f.path());
            if (Files.isRegularFile(pointer) && sizeOf(pointer) == f.size()) {
                log.accept("cached: " + f.path());
                plans.add(new Plan(f, null, true));
                continue;
            }
            HubClient.FileMetadata meta = client.fileMetadata(repo, commit, f.path());
            // the tree listing's size is authoritative; X-Linked-Size / Content-Length when it has none
            long size = f.size() >= 0 ? f.size() : meta.size();
            RepoFile known = new RepoFile(f.path(), size, f.gitOid(), f.lfsSha256());
            Path blob = cache.blob(repo, meta.etag());
            boolean have = Files.isRegularFile(blob) && sizeOf(blob) == size;
            if (!have) {
                Path partial = cache.incompleteBlob(repo, meta.etag());
                needed += size - (Files.isRegularFile(partial) && !Files.exists(FileDownloader.chunkState(partial))
                        ? Math.min(size, sizeOf(partial)) : 0);
            } else {
                log.accept("reusing blob: " + f.path());
            }
            plans.add(new Plan(known, meta.etag(), have));
        }
        checkDiskSpace(repo, needed);

        long downloaded = 0;
        for (Plan p : plans) {
            if (p.etag() == null) continue;  // already linked
            if (!p.cached()) {
                // another process (or thread) may be downloading the same blob: wait for it, then reuse
                try (BlobLock lock = BlobLock.acquire(cache.lockFile(repo, p.etag()), p.file().path(), log)) {
                    Path blob = cache.blob(repo, p.etag());
                    if (Files.isRegularFile(blob) && sizeOf(blob) == p.file().size()) {
                        log.accept("reusing blob (downloaded meanwhile): " + p.file().path());
                    } else {
                        download(repo, commit, p.file(), p.etag());
                        downloaded += p.file().size();
                    }
                }
            }
            cache.linkSnapshot(repo, commit, p.file().path(), p.etag());
        }
        return downloaded;
    }

    private void download(RepoId repo, String commit, RepoFile f, String etag) {
        Path partial = cache.incompleteBlob(repo, etag);
        HubHttp.Target target = new HubHttp.Target(repo, commit, f.path());
        downloader.download(client.resolveUrl(repo, commit, f.path()), partial, f.size(), target,
                progress.apply(f.path()));
        verify(f, etag, partial);
        try {
            Files.move(partial, cache.blob(repo, etag), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot move " + partial + " into place: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the finished file against the hash the Hub announced: the LFS sha256 (which is also the ETag
     * of LFS files), or git's blob sha1 when the ETag is the file's git oid. On mismatch the file is deleted.
     */
    private void verify(RepoFile f, String etag, Path partial) {
        try {
            String expected, actual, algo;
            if (f.lfsSha256() != null || (f.gitOid() == null && etag.matches("[0-9a-f]{64}"))) {
                expected = f.lfsSha256() != null ? f.lfsSha256() : etag;
                algo = "SHA-256";
                log.accept("verifying " + f.path() + " (" + algo + ")");
                actual = Hashes.sha256(partial);
            } else if (f.gitOid() != null && f.gitOid().equals(etag)) {
                expected = etag;
                algo = "git SHA-1";
                actual = Hashes.gitBlobSha1(partial);
            } else {
                return;  // nothing announced to check against
            }
            if (!expected.equalsIgnoreCase(actual)) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(FileDownloader.chunkState(partial));
                throw new HubException(HubException.Kind.CORRUPT, "downloaded " + f.path() + " is corrupt: its " + algo
                        + " is " + actual + " but the Hub announced " + expected + "; the file was deleted, run the command again");
            }
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot read " + partial + ": " + e.getMessage(), e);
        }
    }

    private void checkDiskSpace(RepoId repo, long needed) {
        if (needed <= 0) return;
        Path dir = cache.blobsDir(repo);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot create " + dir + ": " + e.getMessage(), e);
        }
        long free = usableSpace.applyAsLong(dir);
        if (free >= 0 && free < needed)
            throw new HubException(HubException.Kind.DISK_SPACE, "not enough disk space: the download needs "
                    + ProgressBar.bytes(needed) + " but only " + ProgressBar.bytes(free) + " is free in " + dir
                    + " (set HF_HOME or HF_HUB_CACHE to a bigger disk)");
    }

    private static long usableSpaceOf(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof HttpConnectTimeoutException)
                return true;
        return false;
    }
}
