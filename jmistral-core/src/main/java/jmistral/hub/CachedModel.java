package jmistral.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One repository in the cache, as {@code jmistral list} shows it.
 *
 * @param repo         the repository
 * @param sizeOnDisk   bytes of its complete blobs (shared by all snapshots)
 * @param partialBytes bytes of unfinished downloads ({@code *.incomplete})
 * @param refs         revision name -> commit
 * @param snapshots    commits that have a snapshot folder
 * @param files        files of the newest snapshot (paths relative to it)
 * @param directory    the repository's cache folder
 */
public record CachedModel(RepoId repo, long sizeOnDisk, long partialBytes, Map<String, String> refs,
                          List<String> snapshots, List<String> files, Path directory) {

    /** Every model repository in {@code cache}, sorted by name. */
    public static List<CachedModel> scan(HfCache cache) {
        List<CachedModel> out = new ArrayList<>();
        for (RepoId r : cache.cachedRepos()) out.add(of(cache, r));
        return out;
    }

    /** The entry for one repository (empty sizes when nothing is there). */
    public static CachedModel of(HfCache cache, RepoId repo) {
        Path dir = cache.repoDir(repo);
        long size = 0, partial = 0;
        for (Path b : list(dir.resolve("blobs"))) {
            long s = sizeOf(b);
            if (b.getFileName().toString().endsWith(".incomplete")) partial += s;
            else if (!b.getFileName().toString().endsWith(".chunks")) size += s;
        }
        Map<String, String> refs = new TreeMap<>();
        Path refsDir = dir.resolve("refs");
        if (Files.isDirectory(refsDir)) {
            try (Stream<Path> s = Files.walk(refsDir)) {
                s.filter(Files::isRegularFile).forEach(p -> refs.put(refsDir.relativize(p).toString().replace('\\', '/'),
                        cache.readRef(repo, refsDir.relativize(p).toString().replace('\\', '/')).orElse("?")));
            } catch (IOException e) {
                // leave refs empty
            }
        }
        List<Path> snaps = list(dir.resolve("snapshots")).stream().filter(Files::isDirectory)
                .filter(p -> HfCache.isCommitHash(p.getFileName().toString()))
                .sorted((a, b) -> Long.compare(mtime(b), mtime(a))).toList();
        List<String> files = snaps.isEmpty() ? List.of()
                : cache.snapshotFiles(repo, snaps.getFirst().getFileName().toString()).stream().map(RepoFile::path).toList();
        return new CachedModel(repo, size, partial, refs, snaps.stream().map(p -> p.getFileName().toString()).toList(), files, dir);
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
