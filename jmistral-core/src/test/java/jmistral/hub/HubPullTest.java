package jmistral.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The whole pull flow against {@link MockHub}: layout, reuse, resume, corruption, offline, gated, 404. */
class HubPullTest {

    static final String REPO = "bartowski/Tiny-Mistral-GGUF";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path home;
    MockHub hub;
    byte[] q4, q8, mmF16, mmBf16, readme;
    final List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        hub = new MockHub();
        q4 = random(300_000, 1);
        q8 = random(200_000, 2);
        mmF16 = random(120_000, 3);
        mmBf16 = random(110_000, 4);
        readme = "# tiny\n".getBytes(StandardCharsets.UTF_8);
        hub.addRepo(REPO, COMMIT)
                .file("README.md", readme, false)
                .file("Tiny-Mistral-Q8_0.gguf", q8, true)
                .file("Tiny-Mistral-Q4_K_M.gguf", q4, true)
                .file("mmproj-Tiny-Mistral-bf16.gguf", mmBf16, true)
                .file("mmproj-Tiny-Mistral-f16.gguf", mmF16, true);
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    HubConfig config() {
        return new HubConfig(home.resolve("hub"), hub.endpoint(), null, false);
    }

    ModelPuller puller(HubConfig c) {
        return puller(c, new FileDownloader.Options(4, 10, 1L << 40, 4, 10_000));
    }

    ModelPuller puller(HubConfig c, FileDownloader.Options o) {
        return new ModelPuller(c, o, name -> ProgressListener.NONE, notes::add);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Path repoDir() {
        return home.resolve("hub").resolve("models--bartowski--Tiny-Mistral-GGUF");
    }

    @Test
    void pullBuildsTheHuggingFaceCacheLayout() throws IOException {
        PulledModel m = puller(config()).pull(ModelSpec.parse(REPO), null);

        assertEquals(COMMIT, m.commit());
        assertEquals(repoDir().resolve("snapshots").resolve(COMMIT), m.snapshotDir());
        assertEquals(List.of("Tiny-Mistral-Q4_K_M.gguf"), m.selection().model().stream().map(RepoFile::path).toList());
        assertEquals("mmproj-Tiny-Mistral-f16.gguf", m.selection().mmproj().path());

        // snapshots/COMMIT/FILE -> ../../blobs/SHA256 (relative symlink), content identical
        for (var e : List.of(new Object[]{"Tiny-Mistral-Q4_K_M.gguf", q4}, new Object[]{"mmproj-Tiny-Mistral-f16.gguf", mmF16})) {
            Path link = m.snapshotDir().resolve((String) e[0]);
            assertTrue(Files.isSymbolicLink(link), link + " is a symlink");
            String sha = MockHub.sha256((byte[]) e[1]);
            assertEquals(Path.of("..", "..", "blobs", sha), Files.readSymbolicLink(link));
            assertArrayEquals((byte[]) e[1], Files.readAllBytes(link));
            assertArrayEquals((byte[]) e[1], Files.readAllBytes(repoDir().resolve("blobs").resolve(sha)));
        }
        assertEquals(COMMIT, Files.readString(repoDir().resolve("refs/main")));
        assertFalse(Files.exists(m.snapshotDir().resolve("Tiny-Mistral-Q8_0.gguf")), "other quants are not fetched");
        try (var s = Files.list(repoDir().resolve("blobs"))) {
            assertEquals(2, s.count(), "two blobs, no .incomplete left");
        }
        // LFS files: HEAD answered 302 whose X-Linked-Etag named the blob; content came from the CDN path
        assertEquals(2, hub.count("HEAD /" + REPO + "/resolve/" + COMMIT + "/"));
        assertEquals(2, hub.count("GET /cdn/"));
        assertEquals(m.downloaded(), q4.length + mmF16.length);
    }

    @Test
    void plainGitFilesAreVerifiedAgainstTheirGitOid() throws IOException {
        hub.repos.get(REPO).file("config.json", "{}".getBytes(), false);
        // a safetensors-less GGUF repo never selects config.json: use a tiny safetensors repo instead
        hub.addRepo("mistralai/Tiny", COMMIT)
                .file("config.json", "{\"a\":1}".getBytes(), false)
                .file("tekken.json", "{\"vocab\":[]}".getBytes(), false)
                .file("model.safetensors", random(5000, 9), true);
        PulledModel m = puller(config()).pull(ModelSpec.parse("mistralai/Tiny"), null);
        Path cfg = m.snapshotDir().resolve("config.json");
        assertEquals(MockHub.gitSha1("{\"a\":1}".getBytes()), Files.readSymbolicLink(cfg).getFileName().toString());
        ResolvedModel r = ModelResolver.fromPull(m);
        assertEquals(RepoFileSelector.Format.SAFETENSORS, r.format());
        assertEquals(m.snapshotDir(), r.model());
        assertEquals(m.snapshotDir().resolve("tekken.json"), r.tekkenJson().orElseThrow());
    }

    @Test
    void secondPullAndPythonDownloadedBlobsAreReused() throws IOException {
        puller(config()).pull(ModelSpec.parse(REPO), null);
        long gets = hub.count("GET /cdn/");
        puller(config()).pull(ModelSpec.parse(REPO), null);
        assertEquals(gets, hub.count("GET /cdn/"), "no second download");
        assertEquals(0, hub.count("HEAD /" + REPO + "/resolve/" + COMMIT) - 2, "snapshot links reused without HEAD");

        // a blob the Python tools left (no snapshot link yet): linked, not downloaded
        String sha = MockHub.sha256(q8);
        Files.write(repoDir().resolve("blobs").resolve(sha), q8);
        PulledModel m = puller(config()).pull(ModelSpec.parse(REPO + ":q8_0"), null);
        assertEquals(gets, hub.count("GET /cdn/"));
        assertArrayEquals(q8, Files.readAllBytes(m.file(m.selection().model().getFirst())));
    }

    @Test
    void twoPullsOfTheSameRepoAtOnceDownloadEachBlobOnce() throws Exception {
        hub.contentDelayMillis = 300;   // the first pull is still downloading when the second plans its files
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> puller(config()).pull(ModelSpec.parse(REPO), null));
            Thread.sleep(100);
            var second = pool.submit(() -> puller(config()).pull(ModelSpec.parse(REPO), null));
            PulledModel a = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            PulledModel b = second.get(60, java.util.concurrent.TimeUnit.SECONDS);
            for (PulledModel m : List.of(a, b)) {
                assertArrayEquals(q4, Files.readAllBytes(m.file(m.selection().model().getFirst())));
            }
        } finally {
            pool.shutdownNow();
        }
        // every LFS blob came over the wire once: the second pull waited on the blob's lock, then reused it
        for (byte[] content : List.of(q4, mmF16)) {
            assertEquals(1, hub.count("GET /cdn/" + REPO + "/" + MockHub.sha256(content)), "downloads of one blob");
        }
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("waiting for another download")), String.join("\n", notes));
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("reusing blob (downloaded meanwhile)")), String.join("\n", notes));
        assertTrue(Files.isRegularFile(home.resolve("hub/.locks/models--bartowski--Tiny-Mistral-GGUF").resolve(MockHub.sha256(q4) + ".lock")));
    }

    @Test
    void droppedConnectionResumesWithRange() throws IOException {
        hub.dropsLeft.set(1);
        hub.dropAfterBytes = 100_000;
        // what the downloader found on disk at each attempt of the q4 file
        List<Long> onDisk = java.util.Collections.synchronizedList(new ArrayList<>());
        ProgressListener recorder = new ProgressListener() {
            @Override public void start(String name, long total, long alreadyDone) {
                if (name.endsWith("Q4_K_M.gguf")) onDisk.add(alreadyDone);
            }
            @Override public void advance(long bytes) { }
            @Override public void finish() { }
        };
        PulledModel m = new ModelPuller(config(), new FileDownloader.Options(4, 10, 1L << 40, 4, 10_000),
                name -> recorder, notes::add).pull(ModelSpec.parse(REPO), null);
        assertArrayEquals(q4, Files.readAllBytes(m.file(m.selection().model().getFirst())));
        String q4cdn = "GET /cdn/" + REPO + "/" + MockHub.sha256(q4);
        List<String> gets = hub.requests(q4cdn);
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(q4cdn, gets.get(0), "first try asks for the whole file");
        // the mock sent 100 kB before dropping; an abortive close may lose some in flight, never add any
        assertEquals(2, onDisk.size(), onDisk.toString());
        long kept = onDisk.get(1);
        assertTrue(kept > 0 && kept <= 100_000, "bytes kept from the dropped transfer: " + kept);
        assertEquals(q4cdn + " bytes=" + kept + "-" + (q4.length - 1), gets.get(1), "retry resumes where the saved bytes end");
    }

    @Test
    void partialFileFromAnEarlierRunIsResumed() throws IOException {
        String sha = MockHub.sha256(q4);
        Files.createDirectories(repoDir().resolve("blobs"));
        Files.write(repoDir().resolve("blobs").resolve(sha + ".incomplete"), Arrays.copyOf(q4, 5000));
        PulledModel m = puller(config()).pull(ModelSpec.parse(REPO), null);
        assertArrayEquals(q4, Files.readAllBytes(m.file(m.selection().model().getFirst())));
        assertEquals(List.of("GET /cdn/" + REPO + "/" + sha + " bytes=5000-" + (q4.length - 1)),
                hub.requests("GET /cdn/" + REPO + "/" + sha));
    }

    @Test
    void serverIgnoringRangeRestartsFromZero() throws IOException {
        hub.acceptRanges = false;
        String sha = MockHub.sha256(q4);
        Files.createDirectories(repoDir().resolve("blobs"));
        Files.write(repoDir().resolve("blobs").resolve(sha + ".incomplete"), Arrays.copyOf(q4, 5000));
        PulledModel m = puller(config()).pull(ModelSpec.parse(REPO), null);
        assertArrayEquals(q4, Files.readAllBytes(m.file(m.selection().model().getFirst())));
    }

    @Test
    void corruptedByteIsCaughtAndNeverUsed() throws IOException {
        hub.corruptLeft.set(1);
        HubException e = assertThrows(HubException.class, () -> puller(config()).pull(ModelSpec.parse(REPO), null));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains("Tiny-Mistral-Q4_K_M.gguf") && e.getMessage().contains(MockHub.sha256(q4)), e.getMessage());
        String sha = MockHub.sha256(q4);
        assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha)));
        assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha + ".incomplete")));
        assertFalse(Files.exists(repoDir().resolve("snapshots").resolve(COMMIT).resolve("Tiny-Mistral-Q4_K_M.gguf")));
        // the next run downloads a good copy
        PulledModel m = puller(config()).pull(ModelSpec.parse(REPO), null);
        assertArrayEquals(q4, Files.readAllBytes(m.file(m.selection().model().getFirst())));
    }

    @Test
    void parallelChunksGiveTheSameBytes() throws IOException {
        byte[] big = random(5_000_000, 7);   // 4 chunks of 1.25 MB (chunks are at least 1 MiB)
        hub.addRepo("org/Big-GGUF", COMMIT).file("Big-Q4_K_M.gguf", big, true);
        hub.dropsLeft.set(1);            // one chunk is cut short and resumed
        hub.dropAfterBytes = 200_000;
        PulledModel m = puller(config(), new FileDownloader.Options(4, 10, 64 * 1024, 4, 10_000))
                .pull(ModelSpec.parse("org/Big-GGUF"), null);
        assertArrayEquals(big, Files.readAllBytes(m.file(m.selection().model().getFirst())));
        List<String> gets = hub.requests("GET /cdn/org/Big-GGUF/");
        assertTrue(gets.size() >= 5, "4 ranges + 1 resumed: " + gets);
        assertTrue(gets.stream().allMatch(g -> g.contains(" bytes=")), "every chunk is a Range request: " + gets);
        Path blobs = home.resolve("hub/models--org--Big-GGUF/blobs");
        try (var s = Files.list(blobs)) {
            assertEquals(List.of(MockHub.sha256(big)), s.map(p -> p.getFileName().toString()).toList(), "no leftovers");
        }
    }

    @Test
    void interruptedParallelDownloadResumesFromItsChunkState() throws IOException {
        byte[] big = random(5_000_000, 8);
        hub.addRepo("org/Big-GGUF", COMMIT).file("Big-Q4_K_M.gguf", big, true);
        hub.dropsLeft.set(100);          // every transfer dies after 100 kB: give up after 2 attempts
        hub.dropAfterBytes = 100_000;
        var opts = new FileDownloader.Options(2, 1, 64 * 1024, 4, 10_000);
        HubException e = assertThrows(HubException.class, () -> puller(config(), opts).pull(ModelSpec.parse("org/Big-GGUF"), null));
        assertEquals(HubException.Kind.NETWORK, e.kind());
        Path partial = home.resolve("hub/models--org--Big-GGUF/blobs/" + MockHub.sha256(big) + ".incomplete");
        assertTrue(Files.exists(FileDownloader.chunkState(partial)), "chunk state kept");
        // what each chunk still missed ("start end" per line): the second pull must ask for exactly that
        java.util.Set<Long> saved = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(FileDownloader.chunkState(partial))) {
            if (!line.isBlank()) saved.add(Long.parseLong(line.trim().split("\\s+")[0]));
        }
        long chunk = (big.length + 3) / 4;
        assertEquals(4, saved.size(), "one range per chunk: " + saved);
        // each chunk got bytes before its 2 drops (up to 2 x 100 kB; the mock's abort may lose some in flight)
        for (long start : saved) assertTrue(start % chunk > 0 && start % chunk <= 200_000, "chunk progress " + saved);
        hub.dropsLeft.set(0);
        hub.log.clear();
        PulledModel m = puller(config(), opts).pull(ModelSpec.parse("org/Big-GGUF"), null);
        assertArrayEquals(big, Files.readAllBytes(m.file(m.selection().model().getFirst())));
        java.util.Set<Long> asked = new java.util.TreeSet<>();
        for (String g : hub.requests("GET /cdn/")) asked.add(Long.parseLong(g.replaceAll(".* bytes=(\\d+)-.*", "$1")));
        assertEquals(saved, asked, "each chunk resumes where its saved state says, not from its start");
    }

    @Test
    void offlineUsesTheCacheAndFailsClearlyWithoutIt() {
        HubException e = assertThrows(HubException.class,
                () -> puller(config().withOffline(true)).pull(ModelSpec.parse(REPO), null));
        assertEquals(HubException.Kind.OFFLINE_NOT_CACHED, e.kind());
        // names the repo and what to do, in words that fit every command (`pull` included: issue 18)
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE=1") && e.getMessage().contains(REPO + " is not in the cache")
                && e.getMessage().contains("run this again with network access and HF_HUB_OFFLINE unset"), e.getMessage());

        PulledModel online = puller(config()).pull(ModelSpec.parse(REPO), null);
        int requests = hub.log.size();
        ResolvedModel r = new ModelResolver(puller(config().withOffline(true))).resolve(REPO);
        assertEquals(requests, hub.log.size(), "offline: no request at all");
        assertEquals(online.file(online.selection().model().getFirst()), r.model());
        assertEquals(online.file(online.selection().mmproj()), r.mmproj().orElseThrow());

        HubException q8 = assertThrows(HubException.class,
                () -> puller(config().withOffline(true)).pull(ModelSpec.parse(REPO + ":Q8_0"), null));
        assertEquals(HubException.Kind.OFFLINE_NOT_CACHED, q8.kind());
    }

    @Test
    void unreachableHubFallsBackToTheCache() {
        PulledModel online = puller(config()).pull(ModelSpec.parse(REPO), null);
        String deadEndpoint = hub.endpoint();
        hub.close();
        PulledModel m = puller(new HubConfig(home.resolve("hub"), deadEndpoint, null, false)).pull(ModelSpec.parse(REPO), null);
        assertEquals(online.files(), m.files());
        assertTrue(notes.stream().anyMatch(n -> n.contains("local cache")), notes.toString());
    }

    @Test
    void gatedRepoSaysToAcceptTheTermsAndSetHfToken() {
        hub.repos.get(REPO).token = "hf_good";
        HubException none = assertThrows(HubException.class, () -> puller(config()).pull(ModelSpec.parse(REPO), null));
        assertEquals(HubException.Kind.ACCESS_DENIED, none.kind());
        assertTrue(none.getMessage().contains("gated") && none.getMessage().contains("accept the conditions")
                && none.getMessage().contains("HF_TOKEN") && none.getMessage().contains("HTTP 401"), none.getMessage());

        HubConfig wrong = new HubConfig(home.resolve("hub"), hub.endpoint(), "hf_wrong", false);
        HubException denied = assertThrows(HubException.class, () -> puller(wrong).pull(ModelSpec.parse(REPO), null));
        assertEquals(HubException.Kind.ACCESS_DENIED, denied.kind());
        assertTrue(denied.getMessage().contains("HTTP 403"), denied.getMessage());

        HubConfig good = new HubConfig(home.resolve("hub"), hub.endpoint(), "hf_good", false);
        assertEquals(COMMIT, puller(good).pull(ModelSpec.parse(REPO), null).commit());
    }

    @Test
    void missingRepoRevisionAndQuantAreReported() {
        HubException repo = assertThrows(HubException.class, () -> puller(config()).pull(ModelSpec.parse("nobody/Nothing"), null));
        assertEquals(HubException.Kind.NOT_FOUND, repo.kind());
        assertTrue(repo.getMessage().contains("repository nobody/Nothing not found"), repo.getMessage());

        HubException rev = assertThrows(HubException.class, () -> puller(config()).pull(ModelSpec.parse(REPO), "v9"));
        assertEquals(HubException.Kind.NOT_FOUND, rev.kind());
        assertTrue(rev.getMessage().contains("revision v9"), rev.getMessage());

        HubException quant = assertThrows(HubException.class, () -> puller(config()).pull(ModelSpec.parse(REPO + ":Q2_K"), null));
        assertEquals(HubException.Kind.NO_MATCHING_FILE, quant.kind());
        assertTrue(quant.getMessage().contains("Q4_K_M") && quant.getMessage().contains("Q8_0"), quant.getMessage());
    }

    @Test
    void missingFileIs404() {
        HubClient client = new HubClient(new HubHttp(config()));
        HubException e = assertThrows(HubException.class,
                () -> client.fileMetadata(RepoId.parse(REPO), "main", "nope.gguf"));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("nope.gguf"), e.getMessage());
    }

    @Test
    void treeListingFollowsPagesAndReadsLfsHashes() {
        hub.pageSize = 2;
        List<RepoFile> files = new HubClient(new HubHttp(config())).listFiles(RepoId.parse(REPO), COMMIT);
        assertEquals(5, files.size());
        RepoFile q4f = files.stream().filter(f -> f.path().equals("Tiny-Mistral-Q4_K_M.gguf")).findFirst().orElseThrow();
        assertEquals(q4.length, q4f.size());
        assertEquals(MockHub.sha256(q4), q4f.lfsSha256());
        assertNull(files.getFirst().lfsSha256());
    }

    @Test
    void notEnoughDiskSpaceStopsBeforeDownloading() {
        ModelPuller p = puller(config());
        p.usableSpaceProbe(dir -> 10_000);
        HubException e = assertThrows(HubException.class, () -> p.pull(ModelSpec.parse(REPO), null));
        assertEquals(HubException.Kind.DISK_SPACE, e.kind());
        assertTrue(e.getMessage().contains("not enough disk space"), e.getMessage());
        assertEquals(0, hub.count("GET /cdn/"));
    }

    @Test
    void listAndRemove() {
        puller(config()).pull(ModelSpec.parse(REPO), null);
        HfCache cache = new HfCache(home.resolve("hub"));
        List<CachedModel> models = CachedModel.scan(cache);
        assertEquals(1, models.size());
        CachedModel cm = models.getFirst();
        assertEquals(REPO, cm.repo().toString());
        assertEquals(q4.length + mmF16.length, cm.sizeOnDisk());
        assertEquals(java.util.Map.of("main", COMMIT), cm.refs());
        assertEquals(List.of("Tiny-Mistral-Q4_K_M.gguf", "mmproj-Tiny-Mistral-f16.gguf"), cm.files());

        assertEquals(q4.length + mmF16.length + 40, cache.remove(RepoId.parse(REPO)), "blobs + the 40-byte ref");
        assertFalse(Files.exists(repoDir()));
        assertTrue(CachedModel.scan(cache).isEmpty());
    }
}
