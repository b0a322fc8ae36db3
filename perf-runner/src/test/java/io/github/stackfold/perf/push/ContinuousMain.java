package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A program for {@link ContinuousPushTest}, run as a real process: profiles {@code PPROF_URL} every
 * {@code SECONDS} and pushes to the Pyroscope receiver at {@code PUSH_URL}, until SIGINT or SIGTERM,
 * which a shutdown hook turns into {@link ContinuousPush#stop()}, then waits for the run to end. It
 * prints {@code round N pushed K} per round and {@code stopped: rounds=R pushed=P failed=F} at the end.
 *
 * <pre>
 * java -cp ... io.github.stackfold.perf.push.ContinuousMain PPROF_URL PUSH_URL SECONDS KEEP_DIR
 * </pre>
 */
public final class ContinuousMain {
    private ContinuousMain() {
    }

    public static void main(String[] args) throws Exception {
        PprofFetcher fetcher = PprofFetcher.builder().url(URI.create(args[0])).seconds(1).build();
        PushOptions options = PushOptions.builder().keepDir(Path.of(args[3])).backoff(Duration.ofMillis(50)).build();
        ContinuousPush push = new ContinuousPush(
                ContinuousPush.of(fetcher, PprofReader.create(), "kube-apiserver", Map.of("cluster", "test")),
                java.util.List.of(PyroscopeSink.of(URI.create(args[1]), options)),
                Duration.ofSeconds(Long.parseLong(args[2])),
                (round, pushed, failures) -> {
                    System.out.println("round " + round + " pushed " + pushed + (failures.isEmpty() ? "" : " " + failures));
                    System.out.flush();
                });
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            push.stop();
            try {
                done.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("started");
        System.out.flush();
        ContinuousPush.Summary s = push.run();
        System.out.println("stopped: rounds=" + s.rounds() + " pushed=" + s.pushed() + " failed=" + s.failed()
                + " stopped=" + s.stopped());
        System.out.flush();
        done.countDown();
    }
}
