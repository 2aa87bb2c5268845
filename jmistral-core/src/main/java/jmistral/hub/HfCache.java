package jmistral.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache on disk, laid out exactly as huggingface_hub lays it out, so files either
 * tool downloaded are reused by the other:
 * <pre>
 * HUB_CACHE/models--ORG--NAME/
 *   blobs/ETAG                     file content, named by its ETag (sha256 for LFS files, git sha1 otherwise)
 *   blobs/ETAG.incomplete          a download in progress (resumed with HTTP Range)
 *   snapshots/COMMIT/PATH          relative symlink to ../../blobs/ETAG (one more ../ per sub-folder)
 *   refs/REVISION                  the commit sha REVISION (e.g. "main") pointed to, no newline
 * HUB_CACHE/.locks/models--ORG--NAME/ETAG.lock   held while that blob downloads ({@link BlobLock})
 * </pre>
 */
public final class HfCache {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HfCache(Path hubCacheRoot) {
        this.root = hubCacheRoot;
    }

    public Path root() { return root; }

    public Path repoDir(RepoId repo) { return root.resolve(repo.cacheFolderName()); }

    public Path blobsDir(RepoId repo) { return repoDir(repo).resolve("blobs"); }

    public Path blob(RepoId repo, String etag) { return blobsDir(repo).resolve(checkEtag(etag)); }

    public Path incompleteBlob(RepoId repo, String etag) {
        return blobsDir(repo).resolve(checkEtag(etag) + ".incomplete");
    }

    /** The lock file of one blob's download, where huggingface_hub keeps its own. */
    public Path lockFile(RepoId repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(checkEtag(etag) + ".lock");
    }

    public Path snapshotDir(RepoId repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(checkCommit(commit));
    }

    /** Where file {@code path} of {@code commit} appears: a symlink into blobs/. */
    public Path snapshotFile(RepoId repo, String commit, String path) {
        Path dir = snapshotDir(repo, commit);
        Path p = dir.resolve(path).normalize();
        if (!p.startsWith(dir) || p.equals(dir))
            throw new HubException(HubException.Kind.CACHE_IO, "refusing a repo path that leaves the snapshot folder: " + path);
        return p;
    }

    /** True when {@code s} is a full 40-hex commit sha (then no refs/ lookup is needed). */
    public static boolean isCommitHash(String s) {
        return s != null && COMMIT.matcher(s).matches();
    }

    /** The commit that refs/REVISION points to, if recorded (a commit sha resolves to itself). */
    public Optional<String> readRef(RepoId repo, String revision) {
        if (isCommitHash(revision)) return Optional.of(revision);
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        try {
            if (!Files.isRegularFile(ref)) return Optional.empty();
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            return isCommitHash(commit) ? Optional.of(commit) : Optional.empty();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot read " + ref + ": " + e.getMessage(), e);
        }
    }

    /** Records that REVISION points to COMMIT (nothing to do when the revision is itself a commit). */
    public void writeRef(RepoId repo, String revision, String commit) {
        if (revision.equals(commit)) return;
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        try {
            Files.createDirectories(ref.getParent());
            Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, checkCommit(commit), StandardCharsets.UTF_8);
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot write " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code snapshots/COMMIT/PATH} point at {@code blobs/ETAG} with a relative symlink (as
     * huggingface_hub does); where the file system has no symlinks the blob is copied instead.
     */
    public Path linkSnapshot(RepoId repo, String commit, String path, String etag) {
        Path blob = blob(repo, etag);
        Path pointer = snapshotFile(repo, commit, path);
        try {
            Files.createDirectories(pointer.getParent());
            Path target = pointer.getParent().relativize(blob);
            Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.createSymbolicLink(tmp, target);
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, tmp);
            }
            Files.move(tmp, pointer, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return pointer;
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot link " + pointer + " to " + blob + ": " + e.getMessage(), e);
        }
    }

    /**
     * Files present in a snapshot (paths relative to the snapshot folder, '/'-separated, sizes of the
     * blobs they point to). Dangling links are skipped.
     */
    public List<RepoFile> snapshotFiles(RepoId repo, String commit) {
        Path dir = snapshotDir(repo, commit);
        if (!Files.isDirectory(dir)) return List.of();
        List<RepoFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().endsWith(".tmp")) continue;
                String rel = dir.relativize(p).toString().replace('\\', '/');
                files.add(new RepoFile(rel, Files.size(p), null, null));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        files.sort((a, b) -> a.path().compareTo(b.path()));
        return files;
    }

    /** Every model repository in the cache. */
    public List<RepoId> cachedRepos() {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory)
                    .map(p -> RepoId.fromCacheFolderName(p.getFileName().toString()))
                    .filter(r -> r != null)
                    .sorted((a, b) -> a.toString().compareToIgnoreCase(b.toString()))
                    .toList();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a repository's folder (blobs, snapshots, refs); symlinks are removed, never followed. */
    public long remove(RepoId repo) {
        Path dir = repoDir(repo);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return 0;
        long[] freed = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) freed[0] += attrs.size();
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) throw exc;
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot remove " + dir + ": " + e.getMessage(), e);
        }
        return freed[0];
    }

    private static String checkEtag(String etag) {
        if (etag == null || etag.isEmpty() || etag.contains("/") || etag.contains("\\") || etag.startsWith("."))
            throw new HubException(HubException.Kind.NETWORK, "the server sent an unusable ETag: " + etag);
        return etag;
    }

    private static String checkCommit(String commit) {
        if (!isCommitHash(commit))
            throw new HubException(HubException.Kind.NETWORK, "not a commit sha: " + commit);
        return commit;
    }
}
