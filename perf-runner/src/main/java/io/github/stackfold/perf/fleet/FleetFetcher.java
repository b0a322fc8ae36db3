package io.github.stackfold.perf.fleet;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.perf.pprof.PprofFetcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Profiles every replica of an HA control plane at the same time. {@code kubectl get --raw
 * /debug/pprof/profile} goes through the {@code kubernetes} Service and so profiles one replica at
 * random without saying which; this lists the Service's endpoints ({@link Endpoints}) and asks each
 * replica itself, all at once, through a {@link PprofFetcher} aimed at it ({@link PprofFetcher#at}):
 *
 * <pre>
 * kubectl --server https://10.0.0.1:6443 --tls-server-name kubernetes get --raw /debug/pprof/profile?seconds=30
 * kubectl --server https://10.0.0.2:6443 --tls-server-name kubernetes get --raw /debug/pprof/profile?seconds=30
 * ...
 * </pre>
 *
 * or, in URL mode, {@code https://10.0.0.1:6443/debug/pprof/profile?seconds=30} with the given CA,
 * client certificate or token. Each replica's {@code /version} is read too (its {@code gitVersion},
 * the {@code version} label of its profile; left empty when it cannot be read).
 *
 * <p>RBAC the user needs: {@code list} on {@code endpointslices} ({@code discovery.k8s.io}) in
 * namespace {@code default}, and {@code get} on the non-resource URL {@code /debug/pprof/*}
 * ({@link PprofFetcher#RBAC}); a replica that answers 403 is a failure whose message names it.
 * A replica that fails does not stop the others: see {@link FleetProfiles#requireAll()}. A replica
 * whose profile has no sample (idle for the whole time) is no failure: its profile is empty, total 0.
 */
public final class FleetFetcher {
    /** How {@code PprofReader} says a profile has its sample type but no sample: an idle replica. */
    private static final Pattern IDLE = Pattern.compile("has no samples with a non-zero (\\S+) value$");
    private static final Pattern GIT_VERSION = Pattern.compile("\"gitVersion\"\\s*:\\s*\"([^\"]*)\"");

    private final PprofFetcher template;
    private final List<String> kubectl;
    private final PprofReader reader;
    private final Duration listTimeout;
    private final Clock clock;

    private FleetFetcher(PprofFetcher template, List<String> kubectl, PprofReader reader, Duration listTimeout,
            Clock clock) {
        this.template = Objects.requireNonNull(template, "template");
        this.kubectl = List.copyOf(kubectl);
        this.reader = Objects.requireNonNull(reader, "reader");
        this.listTimeout = listTimeout;
        this.clock = clock;
        if (this.kubectl.isEmpty()) {
            throw new IllegalArgumentException("the kubectl command is empty");
        }
    }

    /**
     * Fetches with {@code template} aimed at each replica, listing the replicas with {@code kubectl}
     * (e.g. {@code [kubectl]} or {@code [kubectl, --context, prod]}), reading profiles with {@code reader}.
     */
    public static FleetFetcher of(PprofFetcher template, List<String> kubectl, PprofReader reader) {
        return new FleetFetcher(template, kubectl, reader, Duration.ofSeconds(30), Clock.systemUTC());
    }

    /** The replicas, listed now. */
    public List<Replica> replicas() throws IOException {
        return Endpoints.list(kubectl, listTimeout);
    }

    /** Lists the replicas, then fetches every one at the same time. */
    public FleetProfiles fetch() throws IOException {
        return fetch(replicas());
    }

    /**
     * Fetches these replicas, one thread each, all at the same time; returns when every one has
     * answered or failed. Interrupting the calling thread abandons the round (an {@link IOException}).
     */
    public FleetProfiles fetch(List<Replica> replicas) throws IOException {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("no replica to fetch");
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas.size(), r -> {
            Thread t = new Thread(r, "pprof-replica");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ReplicaProfile>> futures = new ArrayList<>();
            for (Replica r : replicas) {
                Callable<ReplicaProfile> task = () -> fetchOne(r);
                futures.add(pool.submit(task));
            }
            List<ReplicaProfile> profiles = new ArrayList<>();
            List<FleetProfiles.Failure> failures = new ArrayList<>();
            for (int i = 0; i < replicas.size(); i++) {
                try {
                    profiles.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException || c instanceof StackfoldException
                            || c instanceof IllegalArgumentException) {
                        failures.add(new FleetProfiles.Failure(replicas.get(i), (Exception) c));
                    } else if (c instanceof Error err) {
                        throw err;
                    } else {
                        throw new IllegalStateException(replicas.get(i).instance() + ": " + c, c);
                    }
                }
            }
            return new FleetProfiles(profiles, failures);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the replicas' profiles", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private ReplicaProfile fetchOne(Replica r) throws IOException {
        PprofFetcher f = template.at(r.address(), r.port());
        Instant from = clock.instant();
        byte[] raw = f.fetch();
        Instant until = clock.instant();
        PprofProfile profile;
        try {
            profile = reader.read(raw, r.instance());
        } catch (NoSamplesException e) {
            // an idle replica is an answer (total 0, the coldest of all), not a failure; a profile
            // without the sample type at all still is one
            Matcher m = IDLE.matcher(e.getMessage());
            if (!m.find()) {
                throw e;
            }
            profile = new PprofProfile(FoldedProfile.empty(), m.group(1), "", 0, 0);
        }
        if (profile.timeNanos() > 0 && profile.durationNanos() > 0) {
            from = Instant.ofEpochSecond(0, profile.timeNanos());
            until = from.plusNanos(profile.durationNanos());
        }
        return new ReplicaProfile(r, version(f), raw, profile, from, until);
    }

    /** The replica's {@code gitVersion}, or empty when {@code /version} cannot be read. */
    private static String version(PprofFetcher f) {
        try {
            Matcher m = GIT_VERSION.matcher(new String(f.get("/version", Duration.ofSeconds(10)), StandardCharsets.UTF_8));
            return m.find() ? m.group(1) : "";
        } catch (IOException | StackfoldException e) {
            return "";
        }
    }
}
