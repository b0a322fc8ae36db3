package io.github.stackfold.flamegraph.internal;

import java.io.IOException;

/** Waiting for the worker threads of a reader or encoder, and passing on what failed them. */
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

    /**
     * Throws what failed a worker, as it is, when the caller may throw it: an {@link IOException}, a
     * {@link RuntimeException} or an {@link Error}; returns for any other (checked) throwable.
     */
    public static void rethrowIfPossible(Throwable failure) throws IOException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
