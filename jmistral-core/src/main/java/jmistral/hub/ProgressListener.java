package jmistral.hub;

/** Told how a download goes; called from several threads at once when chunks run in parallel. */
public interface ProgressListener {

    /** A file starts (or resumes): {@code alreadyDone} of {@code total} bytes are on disk already. */
    void start(String name, long total, long alreadyDone);

    /** {@code bytes} more bytes arrived. */
    void advance(long bytes);

    /** The file is complete (or the download gave up). */
    void finish();

    /** Reports nothing. */
    ProgressListener NONE = new ProgressListener() {
        @Override public void start(String name, long total, long alreadyDone) { }
        @Override public void advance(long bytes) { }
        @Override public void finish() { }
    };
}
