package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.NoSamplesException;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.RecordOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code flame profile}: the whole lab on a live kube-apiserver. Finds it, records it with perf
 * (locally, through nsenter, or in the debug pod through kubectl) with Go frames named, optionally
 * under the lab's {@code kubectl get pods --all-namespaces} load and against an idle baseline, or
 * takes the profile from the apiserver's pprof endpoint instead; then {@link LabPipeline} writes the
 * files and the summary.
 */
public final class ProfileRun extends StoppableRun {
    /**
     * @param processName  the process to find when {@code pid} is 0
     * @param pid          the PID to record, or 0
     * @param duration     how long to record (each recording, with {@code compareIdle})
     * @param frequency    perf's sampling frequency in Hz
     * @param target       where perf runs
     * @param load         parallel kubectl clients while recording (0: none)
     * @param kubectl      the kubectl program for the load and for {@code --pprof kubectl}
     * @param compareIdle  record once idle and once under load
     * @param pprof        null for perf; {@code "kubectl"} or an {@code http(s)://} URL for pprof
     * @param outputDir    where the files go
     * @param rules        the analysis' categories, or null for those of the recorded program
     *                     ({@link LabPipeline#rulesFor}: etcd's for etcd, kube-apiserver's otherwise)
     * @param allReplicas  with {@code pprof}: profile every replica of the {@code kubernetes} Service at
     *                     once (see {@code FleetFetcher}); the lab's files are then of all replicas merged,
     *                     and each replica's result set and the comparison go to {@code DIR/replicas/};
     *                     without {@code pprof}, with a {@code kubectl} target: perf records each replica in
     *                     the debug pod on its node (see {@code PerfFleet}), {@code target}'s pod being the
     *                     prefix of the debug pods' names
     * @param podSelector  with {@code allReplicas} and perf: the label selector of the debug pods (e.g.
     *                     {@code app=debug-profiler}) instead of the name prefix; null for the prefix
     */
    public record Options(String processName, long pid, Duration duration, int frequency, ExecTarget target, int load,
            String kubectl, boolean compareIdle, String pprof, Path outputDir, Rules rules, boolean allReplicas,
            String podSelector) {
        /** The options without a debug pod selector. */
        public Options(String processName, long pid, Duration duration, int frequency, ExecTarget target, int load,
                String kubectl, boolean compareIdle, String pprof, Path outputDir, Rules rules, boolean allReplicas) {
            this(processName, pid, duration, frequency, target, load, kubectl, compareIdle, pprof, outputDir, rules,
                    allReplicas, null);
        }

        /** The options of one server, not every replica. */
        public Options(String processName, long pid, Duration duration, int frequency, ExecTarget target, int load,
                String kubectl, boolean compareIdle, String pprof, Path outputDir, Rules rules) {
            this(processName, pid, duration, frequency, target, load, kubectl, compareIdle, pprof, outputDir, rules, false);
        }

        public Options {
            Objects.requireNonNull(processName, "processName");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(kubectl, "kubectl");
            Objects.requireNonNull(outputDir, "outputDir");
            if (load < 0) {
                throw new IllegalArgumentException("load must be >= 0, got " + load);
            }
            if (allReplicas && pprof == null && target.via() != ExecTarget.Via.KUBECTL) {
                throw new IllegalArgumentException(ALL_REPLICAS_USAGE);
            }
            if (allReplicas && pprof == null && pid > 0) {
                throw new IllegalArgumentException("--all-replicas with perf finds each replica by --process, not --pid"
                        + " (a PID names one process on one node)");
            }
            if (podSelector != null && (!allReplicas || pprof != null)) {
                throw new IllegalArgumentException("--pod-selector goes with --via kubectl --all-replicas");
            }
        }
    }

    /** Why {@code --all-replicas} is refused without pprof and without a kubectl target. */
    public static final String ALL_REPLICAS_USAGE = "--all-replicas goes with --pprof or with --via kubectl"
            + " (perf then records each replica in the debug pod on its node; locally or through nsenter perf"
            + " records one node's process)";

    /** How many clients {@code --compare-idle} uses when no {@code --load} is given: the lab's loop of 10. */
    public static final int DEFAULT_COMPARE_LOAD = 10;

    /**
     * Checks a {@link Options#pprof()} source before a run: {@code kubectl} or an http(s) URL.
     *
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static void checkPprofSource(String source) {
        if (source != null) {
            PprofSource.url(source);
        }
    }

    private MetricsSource metrics;
    private java.io.InputStream stdin = java.io.InputStream.nullInputStream();
    private io.github.stackfold.flamegraph.analyze.RequestMetrics.Snapshot metricsBegin;
    private io.github.stackfold.flamegraph.analyze.RequestMetrics requests;

    /**
     * The apiserver's request counts for the answer on API calls (null: none): saved files are read
     * before anything is recorded (a bad one stops the run), a live source once before and once after
     * the (loaded) recording; a live read that fails is a warning, and the run goes on without.
     */
    public ProfileRun metrics(MetricsSource source, java.io.InputStream standardInput) {
        this.metrics = source;
        this.stdin = standardInput;
        return this;
    }

    /** Runs the lab; {@code say} gets one line per step for the user. */
    public LabPipeline.Result run(Options o, Consumer<String> say) throws IOException, InterruptedException {
        if (metrics != null && !metrics.live()) {
            requests = metrics.fromFiles(stdin);
        }
        LabPipeline.Result r = runRecording(o, say);
        return r;
    }

    /** The loaded step between two live /metrics snapshots. */
    private LabPipeline.Source measured(Step step, Consumer<String> say) throws IOException, InterruptedException {
        if (metrics == null || !metrics.live()) {
            return step.get();
        }
        metricsBegin = liveSnapshot(say);
        LabPipeline.Source s = step.get();
        var end = metricsBegin == null ? null : liveSnapshot(say);
        if (end != null) {
            requests = io.github.stackfold.flamegraph.analyze.RequestMetrics.between(metricsBegin, end);
            say.accept(String.format(java.util.Locale.ROOT, "metrics: %.0f API requests in the window", requests.total()));
        }
        return s;
    }

    private io.github.stackfold.flamegraph.analyze.RequestMetrics.Snapshot liveSnapshot(Consumer<String> say) {
        try {
            return metrics.snapshot(stdin);
        } catch (IOException | RuntimeException e) {
            say.accept("warning: cannot read the apiserver's /metrics (" + e.getMessage()
                    + "): API calls are not shared out by resource");
            return null;
        }
    }

    /** Every replica of the kubernetes Service is a kube-apiserver. */
    private static Rules apiserverRules(Options o) {
        return o.rules() != null ? o.rules() : Rules.kubeApiserver();
    }

    private LabPipeline pipeline(Path dir, Rules rules, String title) {
        return new LabPipeline(dir, rules, title, 10).requests(requests);
    }

    private LabPipeline.Result runRecording(Options o, Consumer<String> say) throws IOException, InterruptedException {
        int clients = o.compareIdle() && o.load() == 0 ? DEFAULT_COMPARE_LOAD : o.load();
        if (o.compareIdle() && o.load() == 0) {
            say.accept("--compare-idle without --load: using the lab's " + DEFAULT_COMPARE_LOAD + " parallel kubectl clients");
        }
        LabPipeline.Source idle = null;
        LabPipeline.Source loaded;
        if (o.pprof() != null) {
            PprofSource fetch = new PprofSource(o.pprof(), o.kubectl(), o.duration());
            if (o.allReplicas()) {
                Path replicas = o.outputDir().resolve("replicas");
                if (o.compareIdle()) {
                    idle = idleOrNull(() -> fetch.fetchAll("idle", replicas.resolve("idle"), apiserverRules(o), say), say);
                }
                loaded = withLoad(o, clients, say, () -> measured(() -> fetch.fetchAll(clients > 0 ? "under load" : "",
                        o.compareIdle() ? replicas.resolve("load") : replicas, apiserverRules(o), say), say));
            } else {
                if (o.compareIdle()) {
                    idle = idleOrNull(() -> fetch.fetch("idle", say), say);
                }
                loaded = withLoad(o, clients, say, () -> measured(() -> fetch.fetch(clients > 0 ? "under load" : "", say), say));
            }
        } else if (o.allReplicas()) {
            PerfFleet fleet = new PerfFleet(o, this);
            Path replicas = o.outputDir().resolve("replicas");
            if (o.compareIdle()) {
                idle = idleOrNull(() -> fleet.recordAll("idle", replicas.resolve("idle"), apiserverRules(o), say), say);
            }
            loaded = withLoad(o, clients, say, () -> measured(() -> fleet.recordAll(clients > 0
                    ? "under load (" + clients + " kubectl clients)" : "",
                    o.compareIdle() ? replicas.resolve("load") : replicas, apiserverRules(o), say), say));
        } else {
            RecordOptions ro = RecordOptions.builder().processName(o.processName()).pid(o.pid()).duration(o.duration())
                    .frequency(o.frequency()).target(o.target()).outputDir(o.outputDir()).build();
            LabRecorder rec = new LabRecorder(GoFrames.enable(ro), null, say);
            current = rec;
            try {
                if (o.compareIdle()) {
                    idle = idleOrNull(() -> rec.record("idle"), say);
                    if (stopped) {
                        say.accept("stopped during the idle recording: writing it alone, without the loaded one");
                        return pipeline(o.outputDir(), o.rules(), o.processName() + " CPU (idle)").write(idle, null);
                    }
                }
                loaded = withLoad(o, clients, say, () -> measured(() -> rec.record(clients > 0 ? "under load (" + clients + " kubectl clients)" : ""), say));
            } finally {
                current = null;
            }
        }
        String title = o.allReplicas() && o.pprof() == null ? o.processName() + " CPU of every replica, merged, from perf"
                : o.allReplicas() ? "CPU profile of every replica, merged, from pprof (" + o.pprof() + ")"
                : o.pprof() != null ? "CPU profile from pprof (" + o.pprof() + ")"
                : o.pid() > 0 ? "CPU profile of PID " + o.pid() : o.processName() + " CPU";
        return pipeline(o.outputDir(), o.rules(), title).write(loaded, idle);
    }

    /**
     * The idle profile, or null when it has no samples (an idle server may not run once in the window):
     * the load run is still made and written, without a comparison, and the user is told why.
     */
    private static LabPipeline.Source idleOrNull(Step step, Consumer<String> say) throws IOException, InterruptedException {
        try {
            return step.get();
        } catch (NoSamplesException e) {
            say.accept("warning: the idle run has 0 samples (" + e.getMessage() + "): nothing to compare with; "
                    + "the load run is recorded and written alone");
            return null;
        }
    }

    /** One way of getting a profile: a perf recording or a pprof fetch. */
    @FunctionalInterface
    interface Step {
        LabPipeline.Source get() throws IOException, InterruptedException;
    }

    private static LabPipeline.Source withLoad(Options o, int clients, Consumer<String> say, Step step)
            throws IOException, InterruptedException {
        if (clients == 0) {
            return step.get();
        }
        say.accept("load: " + clients + " parallel '" + o.kubectl() + " get pods --all-namespaces' loops for the recording");
        // bounded by itself; finish() ends it as soon as the recording is done
        KubectlLoad load = KubectlLoad.start(o.kubectl(), List.of(), clients, o.duration().plus(Duration.ofSeconds(30)));
        try {
            return step.get();
        } finally {
            String s = load.finish();
            say.accept("load: " + s);
            if (load.succeeded() == 0 && load.failures() > 0) {
                say.accept("warning: every kubectl call failed: the profile shows no API load (check your kubeconfig)");
            }
        }
    }
}
