package jmistral.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Held while one blob is downloaded, so that two pulls of the same file (two jmistral processes, a
 * server and a {@code jmistral pull}, two threads of one JVM) never write the same {@code .incomplete}
 * file at once: the second waits, then finds the finished blob.
 *
 * <p>The lock file is where huggingface_hub puts its own, {@code HUB_CACHE/.locks/models--ORG--NAME/ETAG.lock},
 * locked with an OS file lock (Java takes POSIX fcntl locks; note that Python's filelock takes flock locks,
 * which Linux keeps apart, so this orders jmistral processes, not jmistral and Python). File locks
 * belong to the whole process, so threads of this JVM first take a per-file in-process lock.
 */
final class BlobLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private BlobLock(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code file}, waiting (and saying so through log) while another download holds it. */
    static BlobLock acquire(Path file, String what, Consumer<String> log) {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        if (!local.tryLock()) {
            log.accept("waiting for another download of " + what + " in this process");
            local.lock();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                log.accept("waiting for another process downloading " + what + " (lock " + key + ")");
                lock = channel.lock();
            }
            return new BlobLock(local, channel, lock);
        } catch (IOException | RuntimeException e) {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // the lock was never taken; nothing else to undo
            }
            local.unlock();
            if (e instanceof HubException he) throw he;
            throw new HubException(HubException.Kind.CACHE_IO, "cannot lock " + key + " for downloading " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot release the download lock: " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }
}
