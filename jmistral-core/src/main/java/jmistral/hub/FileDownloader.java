package jmistral.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Downloads one file into a partial file ({@code blobs/ETAG.incomplete}), resuming what is already there.
 * <ul>
 *   <li>Sequential (small files): the partial file is a prefix of the content, as huggingface_hub leaves it,
 *       and a retry asks for {@code Range: bytes=LENGTH-}.</li>
 *   <li>Parallel (files of at least {@link Options#parallelThreshold()} bytes): the rest is split into N
 *       ranges, each fetched on its own connection and written at its offset (FileChannel positional
 *       writes). What is still missing is kept in a sidecar file {@code ETAG.incomplete.chunks}, one
 *       {@code start end} line per range, so an interrupted parallel download resumes too.</li>
 *   <li>Connection drops and 5xx answers are retried (from where they stopped) up to
 *       {@link Options#maxAttempts()} times; a connection silent for {@link Options#stallTimeoutMillis()}
 *       counts as dropped.</li>
 * </ul>
 * It does not verify the content: {@link ModelPuller} hashes the finished file before using it.
 */
public final class FileDownloader {

    /**
     * @param maxAttempts        tries per file (the first one included)
     * @param retryDelayMillis   wait before the first retry (doubled each time, at most 30 s)
     * @param parallelThreshold  files at least this big are fetched as parallel ranges
     * @param parallelChunks     number of ranges (connections) for those
     * @param stallTimeoutMillis a connection that delivers nothing for this long is dropped and retried
     */
    public record Options(int maxAttempts, long retryDelayMillis, long parallelThreshold, int parallelChunks,
                          long stallTimeoutMillis) {
        public Options {
            if (maxAttempts < 1 || parallelChunks < 1) throw new IllegalArgumentException("maxAttempts and parallelChunks must be >= 1");
        }

        public static Options defaults() {
            return new Options(6, 1000, 64L << 20, 8, 60_000);
        }
    }

    private static final int BUFFER = 1 << 20;
    private static final long SAVE_EVERY = 16L << 20;

    private final HubHttp http;
    private final Options options;

    public FileDownloader(HubHttp http, Options options) {
        this.http = http;
        this.options = options;
    }

    /** The sidecar file listing the ranges still missing from a parallel download. */
    public static Path chunkState(Path partial) {
        return partial.resolveSibling(partial.getFileName() + ".chunks");
    }

    /**
     * Makes {@code partial} hold all {@code size} bytes of {@code uri}. Errors that a retry cannot fix
     * (404, 401, 403...) are thrown at once as HubException; others after the last attempt.
     */
    public void download(URI uri, Path partial, long size, HubHttp.Target target, ProgressListener progress) {
        boolean rangesWork = true;
        Exception last = null;
        long delay = options.retryDelayMillis();
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            try {
                List<Range> todo = pendingRanges(partial, size, rangesWork);
                progress.start(target.path(), size, size - remaining(todo));
                try {
                    if (!todo.isEmpty()) fetch(uri, partial, todo, target, progress);
                } finally {
                    progress.finish();
                }
                Files.deleteIfExists(chunkState(partial));
                return;
            } catch (RangeIgnored e) {
                // the server answered 200 to a Range request: start over, one stream from byte 0
                rangesWork = false;
                resetPartial(partial);
                attempt--;  // not the network's fault
            } catch (IOException | HubHttp.RangeNotSatisfiable e) {
                last = e;
                if (e instanceof HubHttp.RangeNotSatisfiable) resetPartial(partial); // our partial is bogus
            } catch (HubException e) {
                if (e.kind() != HubException.Kind.NETWORK) throw e;
                last = e;
            }
            if (attempt < options.maxAttempts()) sleep(delay);
            delay = Math.min(delay * 2, 30_000);
        }
        throw new HubException(HubException.Kind.NETWORK, "download of " + target.describe() + " failed after "
                + options.maxAttempts() + " attempts (" + last.getMessage() + "); the partial file " + partial
                + " is kept and the next run resumes it", last);
    }

    /** One byte range [start, end) still to fetch; start moves forward as bytes arrive. */
    private static final class Range {
        volatile long start;
        final long end;

        Range(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }

    /** What is missing: from the chunk sidecar if there is one, else everything after the partial file's length. */
    private List<Range> pendingRanges(Path partial, long size, boolean rangesWork) throws IOException {
        Path state = chunkState(partial);
        if (Files.exists(state) && Files.exists(partial) && rangesWork) {
            List<Range> ranges = readState(state, size);
            if (ranges != null) return ranges;
        }
        Files.deleteIfExists(state);
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have > size || !rangesWork) {
            resetPartial(partial);
            have = 0;
        }
        List<Range> ranges = new ArrayList<>();
        long rest = size - have;
        if (rest <= 0) return ranges;
        int n = rangesWork && size >= options.parallelThreshold()
                ? (int) Math.max(1, Math.min(options.parallelChunks(), rest / (1L << 20) + 1)) : 1;
        if (n == 1) {
            ranges.add(new Range(have, size));
            return ranges;
        }
        long per = (rest + n - 1) / n;
        for (long s = have; s < size; s += per) ranges.add(new Range(s, Math.min(size, s + per)));
        writeState(state, ranges);
        return ranges;
    }

    private void fetch(URI uri, Path partial, List<Range> todo, HubHttp.Target target, ProgressListener progress)
            throws IOException {
        Files.createDirectories(partial.getParent());
        Path state = chunkState(partial);
        boolean parallel = Files.exists(state);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jmistral-download-watchdog");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (!parallel) {
                fetchRange(uri, ch, todo.getFirst(), target, progress, watchdog, null, null);
            } else {
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> futures = new ArrayList<>();
                    for (Range r : todo) {
                        if (r.start >= r.end) continue;
                        futures.add(pool.submit(() -> {
                            fetchRange(uri, ch, r, target, progress, watchdog, state, todo);
                            return null;
                        }));
                    }
                    IOException failure = null;
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            Throwable c = e.getCause();
                            if (c instanceof RangeIgnored ri) throw ri;
                            if (c instanceof RuntimeException re) throw re;
                            if (failure == null) failure = c instanceof IOException io ? io : new IOException(c);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                    if (failure != null) throw failure;
                } finally {
                    writeState(state, todo);
                }
            }
            ch.force(true);
        } finally {
            watchdog.shutdownNow();
        }
    }

    /** Fetches [r.start, r.end) and writes it at its offset, moving r.start as it goes. */
    private void fetchRange(URI uri, FileChannel ch, Range r, HubHttp.Target target, ProgressListener progress,
                            ScheduledExecutorService watchdog, Path state, List<Range> all) throws IOException {
        boolean wholeFile = r.start == 0 && r.end == sizeOf(all, r);
        HttpResponse<InputStream> resp = http.getContent(uri, r.start, wholeFile ? -1 : r.end - 1, target);
        try (InputStream in = resp.body()) {
            if (resp.statusCode() == 200 && r.start != 0) throw new RangeIgnored();
            if (resp.statusCode() == 200 && state != null) throw new RangeIgnored();
            if (resp.statusCode() == 206) checkContentRange(resp, r.start);
            long[] lastByte = {System.nanoTime()};
            var stallCheck = watchdog.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastByte[0] > options.stallTimeoutMillis() * 1_000_000L) closeQuietly(in);
            }, 1, Math.max(1, Math.min(1000, options.stallTimeoutMillis() / 4)), TimeUnit.MILLISECONDS);
            try {
                byte[] buf = new byte[BUFFER];
                long sinceSave = 0;
                while (r.start < r.end) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, r.end - r.start));
                    if (n < 0) break;
                    lastByte[0] = System.nanoTime();
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    long pos = r.start;
                    while (bb.hasRemaining()) pos += ch.write(bb, pos);
                    r.start = pos;
                    progress.advance(n);
                    sinceSave += n;
                    if (state != null && sinceSave >= SAVE_EVERY) {
                        writeState(state, all);
                        sinceSave = 0;
                    }
                }
            } finally {
                stallCheck.cancel(false);
            }
            if (r.start < r.end)
                throw new IOException("connection closed with " + (r.end - r.start) + " bytes of the range still to come");
        }
    }

    private static void checkContentRange(HttpResponse<?> resp, long expectedStart) throws IOException {
        String cr = resp.headers().firstValue("Content-Range").orElse("");
        // "bytes START-END/TOTAL"
        int sp = cr.indexOf(' '), dash = cr.indexOf('-');
        if (sp < 0 || dash < sp) return;   // absent or odd: trust the status
        try {
            long start = Long.parseLong(cr.substring(sp + 1, dash).trim());
            if (start != expectedStart)
                throw new IOException("asked for bytes from " + expectedStart + " but the server sent " + cr);
        } catch (NumberFormatException ignored) {
            // unparsable: trust the status
        }
    }

    /** Size of the whole file as far as ranges know it (sequential case: the one range's end). */
    private static long sizeOf(List<Range> all, Range r) {
        return all == null ? r.end : Long.MAX_VALUE;   // parallel ranges always send a Range header
    }

    private static long remaining(List<Range> ranges) {
        long s = 0;
        for (Range r : ranges) s += Math.max(0, r.end - r.start);
        return s;
    }

    private static synchronized void writeState(Path state, List<Range> ranges) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) if (r.start < r.end) sb.append(r.start).append(' ').append(r.end).append('\n');
        Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
        Files.move(tmp, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Parses the sidecar; null when it is unreadable or does not fit the file (then we start over). */
    private static List<Range> readState(Path state, long size) {
        try {
            List<Range> ranges = new ArrayList<>();
            for (String line : Files.readAllLines(state, StandardCharsets.US_ASCII)) {
                if (line.isBlank()) continue;
                String[] p = line.trim().split("\\s+");
                long s = Long.parseLong(p[0]), e = Long.parseLong(p[1]);
                if (s < 0 || e > size || s > e) return null;
                ranges.add(new Range(s, e));
            }
            return ranges;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void resetPartial(Path partial) {
        try {
            Files.deleteIfExists(chunkState(partial));
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot delete " + partial + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.NETWORK, "interrupted", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the failure
        }
    }

    /** The server sent the whole file (200) instead of the asked range. */
    private static final class RangeIgnored extends RuntimeException {
        RangeIgnored() { super("server ignored the Range header", null, false, false); }
    }
}
