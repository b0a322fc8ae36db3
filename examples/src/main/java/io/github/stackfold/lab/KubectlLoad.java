package io.github.stackfold.lab;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lab's load: {@code clients} parallel loops, each running {@code kubectl get pods --all-namespaces}
 * back to back through the user's kubeconfig until the time is up or {@link #finish} is called.
 * Bounded: no new call starts after the deadline and a call still running at the deadline plus a
 * grace is killed.
 */
public final class KubectlLoad implements LoadRun {
    private static final long GRACE_MILLIS = 10_000;

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    private final long deadline;
    private volatile boolean stopped;

    private KubectlLoad(long deadline) {
        this.deadline = deadline;
    }

    /**
     * Starts the loops. {@code kubectl} is the program to run (normally {@code "kubectl"}, found on the
     * PATH); {@code extraArgs} go after it (e.g. {@code --context}, {@code --kubeconfig}).
     */
    public static KubectlLoad start(String kubectl, List<String> extraArgs, int clients, Duration duration) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        KubectlLoad load = new KubectlLoad(System.nanoTime() + duration.toNanos());
        List<String> cmd = new ArrayList<>();
        cmd.add(kubectl);
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("get", "pods", "--all-namespaces"));
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> load.loop(List.copyOf(cmd)), "kubectl-load-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    private void loop(List<String> cmd) {
        while (System.nanoTime() < deadline && !stopped && !Thread.currentThread().isInterrupted()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + GRACE_MILLIS;
            Process p = null;
            try {
                p = Children.startQuiet(cmd);
                if (!p.waitFor(left, TimeUnit.MILLISECONDS)) {
                    killed.incrementAndGet();
                } else if (p.exitValue() == 0) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    pauseAfterFailure();
                }
            } catch (IOException e) {
                failed.incrementAndGet(); // kubectl missing: counted, checked by the caller beforehand
                pauseAfterFailure();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Children.end(p, 200);
            }
        }
    }

    /** A failing kubectl (no cluster, no credentials) is not retried in a tight loop. */
    private static void pauseAfterFailure() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String finish() throws InterruptedException {
        stopped = true;
        // a call still running GRACE after now (or after the deadline, if sooner) is killed
        long waitUntil = Math.min(deadline, System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(waitUntil - System.nanoTime());
            t.join(Math.max(1, left));
            t.interrupt();
        }
        return threads.size() + " kubectl clients: " + ok.get() + " calls ok, " + failed.get() + " failed"
                + (killed.get() > 0 ? ", " + killed.get() + " killed at the deadline" : "");
    }

    /** Calls that succeeded so far. */
    public long succeeded() {
        return ok.get();
    }

    /** Calls that failed so far. */
    public long failures() {
        return failed.get();
    }
}
