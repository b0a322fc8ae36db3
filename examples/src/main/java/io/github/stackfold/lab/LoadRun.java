package io.github.stackfold.lab;

/**
 * Load running in the background while perf records. {@link #finish} waits for it (it is bounded in
 * time) and says what it did in one line.
 */
public interface LoadRun {
    /** Waits for the load to end (at most its bound plus a grace) and describes it, e.g. "812 requests (200: 790, 403: 22)". */
    String finish() throws InterruptedException;

    /** No load. */
    LoadRun NONE = () -> "no load";
}
