package io.github.stackfold.lab;

/**
 * Load running in the background while perf records. It is bounded in time by itself; {@link #finish}
 * ends it sooner (once the recording is done) and says what it did in one line.
 */
public interface LoadRun {
    /**
     * Ends the load (requests in flight complete, nothing new starts), waits for it, and describes
     * it, e.g. "2 HTTP clients: 812 requests, by status 200: 790, 403: 22". Calling it again
     * describes it again.
     */
    String finish() throws InterruptedException;

    /** No load. */
    LoadRun NONE = () -> "no load";
}
