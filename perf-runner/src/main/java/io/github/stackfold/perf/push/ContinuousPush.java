package io.github.stackfold.perf.push;

import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.NotPermittedException;
import io.github.stackfold.perf.ToolMissingException;
import io.github.stackfold.perf.fleet.FleetFetcher;
import io.github.stackfold.perf.fleet.FleetProfiles;
import io.github.stackfold.perf.fleet.ReplicaProfile;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Continuous profiling: every {@code every}, fetch a profile (of one replica or of all) and push it
 * to the sinks, until {@link #stop()}. {@code flame pprof --every 60s --push ...} is this.
 *
 * <ul>
 * <li><b>Bounded memory</b>: one round is held at a time (a 30 s apiserver CPU profile is ~70 kB per
 *   replica); nothing accumulates but counters. A profile that could not be pushed goes to disk
 *   ({@link PushOptions#keepDir()}), not into memory.
 * <li><b>Rounds</b> start {@code every} apart; a round that takes longer (the fetch alone waits the
 *   sampling seconds) is followed at once by the next.
 * <li><b>Failures</b>: a replica that gave no profile, or a push that failed after its retries, is
 *   reported to the {@link Listener} and the next round goes on; what cannot mend itself (a 403, a
 *   receiver's 4xx, no kubectl) ends the run with that exception.
 * <li><b>Stopping</b>: {@link #stop()} (from a signal handler or another thread) ends the wait, or
 *   abandons the fetch under way (Go cannot hand out part of a profile); a push under way is
 *   finished first, so a profile is pushed whole or kept, never half. {@link #run()} then returns.
 * </ul>
 */
public final class ContinuousPush {
    /** One round's profiles: a fetch, labelled. */
    @FunctionalInterface
    public interface Source {
        /** Fetches one round; the failures of single replicas go into the result, not an exception. */
        Round fetch() throws IOException;
    }

    /** What a source brought: the profiles to push, and a message per replica that gave none. */
    public record Round(List<LabeledProfile> profiles, List<String> failures) {
        public Round {
            profiles = List.copyOf(profiles);
            failures = List.copyOf(failures);
        }
    }

    /** Told after each round; called on the thread of {@link #run()}. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param round    the round's number, from 1
         * @param pushed   profiles pushed to every sink this round
         * @param failures why a replica gave no profile or a push failed (with the file it was kept in)
         */
        void roundDone(long round, int pushed, List<String> failures);
    }

    /** How the run went. */
    public record Summary(long rounds, long pushed, long failed, boolean stopped) {
    }

    private final Source source;
    private final List<ProfileSink> sinks;
    private final Duration every;
    private final Listener listener;
    private final Clock clock;
    private final Object lock = new Object();
    private volatile boolean stopping;
    private Thread runner;
    private boolean pushing;

    public ContinuousPush(Source source, List<? extends ProfileSink> sinks, Duration every, Listener listener) {
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = List.copyOf(sinks);
        this.every = Objects.requireNonNull(every, "every");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Clock.systemUTC();
        if (this.sinks.isEmpty()) {
            throw new IllegalArgumentException("no sink to push to");
        }
        if (every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--every must be at least 1s, got " + every);
        }
    }

    /** Rounds until {@link #stop()}; returns how it went, or throws what cannot mend itself. */
    public Summary run() throws IOException {
        synchronized (lock) {
            runner = Thread.currentThread();
        }
        long rounds = 0;
        long pushed = 0;
        long failed = 0;
        try {
            while (!stopping) {
                Instant start = clock.instant();
                Round round;
                try {
                    round = source.fetch();
                } catch (IOException | StackfoldException e) {
                    if (stopping) {
                        break;
                    }
                    if (isPermanent(e)) {
                        throw e;
                    }
                    rounds++;
                    failed++;
                    listener.roundDone(rounds, 0, List.of(e.getMessage()));
                    pause(start);
                    continue;
                }
                if (stopping) {
                    break;
                }
                rounds++;
                List<String> failures = new ArrayList<>(round.failures());
                int ok = 0;
                synchronized (lock) {
                    pushing = true;
                    Thread.interrupted(); // a stop() that raced the fetch's end must not cut the push
                }
                try {
                    for (LabeledProfile p : round.profiles()) {
                        try {
                            ProfileSink.pushAll(sinks, List.of(p));
                            ok++;
                        } catch (PushFailedException e) {
                            if (e.refused()) {
                                throw e;
                            }
                            failures.add(e.getMessage());
                        }
                    }
                } finally {
                    synchronized (lock) {
                        pushing = false;
                    }
                }
                pushed += ok;
                failed += failures.size();
                listener.roundDone(rounds, ok, failures);
                pause(start);
            }
        } finally {
            synchronized (lock) {
                runner = null;
            }
            Thread.interrupted();
        }
        return new Summary(rounds, pushed, failed, stopping);
    }

    /** Ends the run: the wait or the fetch under way is cut short, a push under way is finished. */
    public void stop() {
        stopping = true;
        synchronized (lock) {
            if (runner != null && !pushing) {
                runner.interrupt();
            }
        }
    }

    private void pause(Instant start) {
        Duration left = Duration.between(clock.instant(), start.plus(every));
        if (left.isNegative() || left.isZero() || stopping) {
            return;
        }
        try {
            Thread.sleep(left.toMillis());
        } catch (InterruptedException e) {
            // stop(): the loop sees the flag
        }
    }

    /**
     * A source of one server's profile: {@code fetcher} as it is (one URL, or kubectl through the
     * Service), labelled with {@code labels} plus {@code instance} (the URL's host and port, in URL mode).
     */
    public static Source of(PprofFetcher fetcher, PprofReader reader, String app, Map<String, String> labels) {
        return () -> {
            Instant from = Instant.now();
            byte[] raw = interruptibly(fetcher::fetch, fetcher.source());
            PprofProfile p = reader.read(raw, fetcher.source());
            Map<String, String> all = new TreeMap<>(labels);
            if (fetcher.url() != null) {
                all.put("instance", fetcher.url().getRawAuthority());
            }
            Instant until = Instant.now();
            if (p.timeNanos() > 0 && p.durationNanos() > 0) {
                from = Instant.ofEpochSecond(0, p.timeNanos());
                until = from.plusNanos(p.durationNanos());
            }
            return new Round(List.of(new LabeledProfile(app, all, from, until, p.folded(), p.sampleType(), 100, raw)),
                    List.of());
        };
    }

    /**
     * A source of every replica's profile, each labelled with {@code labels} plus its instance and
     * version; a replica that gave no profile is a failure of the round, except a refusal (403) or a
     * missing kubectl, which end the run.
     */
    public static Source of(FleetFetcher fleet, String app, Map<String, String> labels) {
        return () -> {
            FleetProfiles round = fleet.fetch();
            List<String> failures = new ArrayList<>();
            for (FleetProfiles.Failure f : round.failures()) {
                if (f.error() instanceof NotPermittedException || f.error() instanceof ToolMissingException) {
                    round.requireAll();
                }
                failures.add(f.message());
            }
            List<LabeledProfile> profiles = new ArrayList<>();
            for (ReplicaProfile p : round.profiles()) {
                profiles.add(LabeledProfile.of(p, app, labels));
            }
            return new Round(profiles, failures);
        };
    }

    private interface Fetch {
        byte[] get() throws IOException;
    }

    /**
     * {@code fetch} on a daemon thread, waited for interruptibly: a kubectl child does not heed an
     * interrupt, and a stop must not wait out its sampling seconds (the child ends with its timeout,
     * or with the JVM).
     */
    private static byte[] interruptibly(Fetch fetch, String source) throws IOException {
        java.util.concurrent.FutureTask<byte[]> task = new java.util.concurrent.FutureTask<>(fetch::get);
        Thread t = new Thread(task, "pprof-fetch");
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new IOException(source + ": interrupted while waiting for the profile", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(source + ": " + c, c);
        }
    }

    /** Whether {@code e} is one that will not mend by trying again (used by callers deciding to stop). */
    public static boolean isPermanent(Exception e) {
        return e instanceof NotPermittedException || e instanceof ToolMissingException
                || e instanceof PushFailedException f && f.refused()
                || e instanceof StackfoldException && !(e instanceof io.github.stackfold.perf.NoTargetException);
    }
}
