package io.github.stackfold.lab;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.StackfoldException;
import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofProfile;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.perf.RecordOptions;
import io.github.stackfold.perf.fleet.DebugPods;
import io.github.stackfold.perf.fleet.Endpoints;
import io.github.stackfold.perf.fleet.FleetProfiles;
import io.github.stackfold.perf.fleet.FleetResults;
import io.github.stackfold.perf.fleet.Replica;
import io.github.stackfold.perf.fleet.ReplicaProfile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code flame profile --via kubectl --all-replicas}: perf on every kube-apiserver replica at once.
 * Lists the replicas of the {@code kubernetes} Service ({@link Endpoints}), finds the debug pod on
 * each replica's node ({@link DebugPods}: a DaemonSet of privileged {@code hostPID} pods), and records
 * the apiserver in each node's pod through {@code kubectl exec}, one recording per replica, all at
 * the same time. The results are written as the pprof path writes them ({@link FleetResults}): one
 * result set per replica, all merged, and the comparison. A replica whose node has no debug pod is
 * named at once (with the fix: apply the DaemonSet) and the others are still recorded; the run then
 * ends with an error naming it, after the others' files were written.
 */
final class PerfFleet {
    /** The DaemonSet that puts a debug pod on every node, control-plane nodes included. */
    static final String DAEMONSET = "manifests/debug-profiler-daemonset.yaml";

    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(30);

    private final ProfileRun.Options o;
    private final StoppableRun run;

    PerfFleet(ProfileRun.Options o, StoppableRun run) {
        this.o = o;
        this.run = run;
    }

    /** The folded stacks of a perf recording count samples (one per tick of the event), not time. */
    static final String SAMPLE_TYPE = "samples/count";

    /** The message for a replica whose node has no debug pod: names the node and the fix. */
    static String noPodMessage(Replica r, DebugPods pods, String namespace) {
        String node = r.node().isEmpty() ? "the node with address " + r.address() : "node " + r.node();
        return node + " (replica " + r.instance() + ") has no running debug pod (" + pods.wanted()
                + (namespace == null ? "" : " in namespace " + namespace) + "): apply the DaemonSet with 'kubectl apply -f "
                + DAEMONSET + "' (it tolerates the control-plane taint) or pass --pod/--pod-selector for yours";
    }

    /**
     * Records every replica; {@code what} names the recording in messages ("idle", "under load"),
     * the result sets go below {@code dir}. Returns all replicas merged, each under an
     * {@code instance=} root frame.
     */
    LabPipeline.Source recordAll(String what, Path dir, Rules rules, Consumer<String> say) throws IOException {
        Consumer<String> said = line -> {
            synchronized (this) {
                say.accept(line);
            }
        };
        List<String> kubectl = List.of(o.kubectl());
        List<Replica> replicas = Endpoints.list(kubectl, LIST_TIMEOUT);
        ExecTarget given = o.target();
        DebugPods pods = DebugPods.list(kubectl, given.namespace(), given.pod(), o.podSelector(), LIST_TIMEOUT);
        List<FleetProfiles.Failure> failures = new ArrayList<>();
        List<Replica> recorded = new ArrayList<>();
        List<ExecTarget> targets = new ArrayList<>();
        for (Replica r : replicas) {
            Optional<DebugPods.Pod> pod = pods.on(r);
            if (pod.isEmpty()) {
                String m = noPodMessage(r, pods, given.namespace());
                said.accept("warning: " + m);
                failures.add(new FleetProfiles.Failure(r, new NoTargetException(m)));
                continue;
            }
            DebugPods.Pod p = pod.get();
            recorded.add(r);
            targets.add(ExecTarget.kubectl(kubectl, p.name(), p.namespace().isEmpty() ? given.namespace() : p.namespace(),
                    given.container()));
        }
        if (recorded.isEmpty()) {
            throw new NoTargetException("none of the " + replicas.size() + " replicas has a debug pod on its node: "
                    + failures.stream().map(f -> f.error().getMessage()).collect(Collectors.joining("; ")));
        }
        List<String> where = new ArrayList<>();
        for (int i = 0; i < recorded.size(); i++) {
            where.add(recorded.get(i) + " in pod " + targets.get(i).pod());
        }
        said.accept("recording " + o.processName() + " on " + recorded.size() + " of " + replicas.size()
                + " replicas at once through their nodes' debug pods: " + String.join(", ", where)
                + (what.isEmpty() ? "" : " " + what));
        List<ReplicaProfile> profiles = new ArrayList<>();
        List<Long> samples = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(recorded.size(), t -> {
            Thread th = new Thread(t, "perf-replica");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<Recorded>> futures = new ArrayList<>();
            for (int i = 0; i < recorded.size(); i++) {
                Replica r = recorded.get(i);
                ExecTarget t = targets.get(i);
                futures.add(pool.submit(() -> recordOne(r, t, what, line -> said.accept(r.instance() + ": " + line))));
            }
            for (int i = 0; i < recorded.size(); i++) {
                try {
                    Recorded got = futures.get(i).get();
                    profiles.add(got.profile);
                    samples.add(got.samples);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof StackfoldException || c instanceof IOException || c instanceof IllegalArgumentException) {
                        failures.add(new FleetProfiles.Failure(recorded.get(i), (Exception) c));
                    } else if (c instanceof Error err) {
                        throw err;
                    } else {
                        throw new IllegalStateException(recorded.get(i).instance() + ": " + c, c);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.stop();
            throw new IOException("interrupted while recording the replicas", e);
        } finally {
            pool.shutdown();
        }
        FleetProfiles got = new FleetProfiles(profiles, failures);
        String how = "perf " + options(ExecTarget.local()).event() + " at " + o.frequency() + " Hz, "
                + LabRecorder.seconds(o.duration()) + " via kubectl exec";
        if (!got.profiles().isEmpty()) {
            FleetResults.Written w = FleetResults.write(got, dir, o.processName(), how,
                    Analyzer.create(Analyzer.Options.of(rules)));
            said.accept("wrote " + w.files().size() + " files of " + got.profiles().size() + " replicas below " + dir
                    + "; " + w.comparison().toText().lines().findFirst().orElse(""));
        }
        got.requireAll();
        long total = 0;
        for (long n : samples) {
            total = n < 0 || total < 0 ? -1 : total + n;
        }
        String desc = "perf recordings of " + got.profiles().size() + " replicas, merged, " + how
                + (what.isEmpty() ? "" : ", " + what);
        return new LabPipeline.Source(got.merged(), total, desc, o.processName());
    }

    private record Recorded(ReplicaProfile profile, long samples) {
    }

    private RecordOptions options(ExecTarget t) {
        return RecordOptions.builder().processName(o.processName()).duration(o.duration())
                .frequency(o.frequency()).target(t).outputDir(o.outputDir()).build();
    }

    private Recorded recordOne(Replica r, ExecTarget t, String what, Consumer<String> say) {
        RecordOptions ro = options(t);
        LabRecorder rec = new LabRecorder(ro, null, say);
        run.recorders.add(rec);
        Instant from = Instant.now();
        LabPipeline.Source s;
        try {
            if (run.stopped()) {
                rec.stop();
            }
            s = rec.record(what);
        } catch (NoSamplesException e) {
            // an idle replica is an answer (total 0, the coldest of all), as in the pprof path
            say.accept("warning: " + e.getMessage());
            s = new LabPipeline.Source(FoldedProfile.empty(), 0, "no samples", o.processName());
        } finally {
            run.recorders.remove(rec);
        }
        Instant until = Instant.now();
        PprofProfile p = new PprofProfile(s.profile(), SAMPLE_TYPE, s.binary(), from.getEpochSecond() * 1_000_000_000L + from.getNano(),
                Duration.between(from, until).toNanos());
        return new Recorded(new ReplicaProfile(r, "", new byte[0], p, from, until), s.samples());
    }
}
