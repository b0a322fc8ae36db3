package io.github.stackfold.flamegraph.internal;

/** Waiting for the worker threads of a reader or encoder. */
public final class Threads {
    private Threads() {
    }

    /**
     * Waits until {@code t} has ended, even when interrupted meanwhile; an interrupt that came is kept
     * as the calling thread's interrupt status.
     */
    public static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
