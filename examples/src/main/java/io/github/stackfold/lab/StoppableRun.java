package io.github.stackfold.lab;

/**
 * What {@link DemoRun} and {@link ProfileRun} share: the recording under way, and a stop request from
 * a signal handler that ends it early (what was recorded is still written) and keeps any further
 * recording from starting.
 */
abstract class StoppableRun {
    volatile LabRecorder current;
    volatile boolean stopped;
    /** The recordings under way at the same time, one per replica ({@code --all-replicas} with perf). */
    final java.util.Set<LabRecorder> recorders = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Ends the current recording early (from a signal handler); what was recorded is still written. */
    public void stop() {
        stopped = true;
        LabRecorder r = current;
        if (r != null) {
            r.stop();
        }
        recorders.forEach(LabRecorder::stop);
    }

    /** Whether {@link #stop} was called. */
    public boolean stopped() {
        return stopped;
    }
}
