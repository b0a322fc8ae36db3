package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.perf.ExecTarget;
import io.github.stackfold.perf.NoTargetException;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame profile --via kubectl --all-replicas}: perf on every replica at once, each in the debug
 * pod on its node. There is no cluster here: a <b>stub</b> {@code kubectl} answers {@code get
 * endpointslices} and {@code get pods -o json} from files, and runs {@code exec POD -- CMD} on the
 * pod's "node": a real process named {@code kube-apiserver} started as PID 1 of its own PID and mount
 * namespaces ({@code unshare --pid --fork --mount-proc}), entered with {@code nsenter}, so each pod's
 * {@code /proc} shows its own replica only, as a hostPID pod on another node would. Real perf records
 * the real processes.
 */
class ProfileRunReplicasPerfTest {
    /** A program with frames main;serve;work, spinning. */
    private static final String REPLICA_C = """
            volatile unsigned long sink;
            __attribute__((noinline)) unsigned long work(unsigned long n) {
                unsigned long s = 0;
                for (unsigned long i = 0; i < n; i++) s += i ^ (i >> 3);
                return s;
            }
            __attribute__((noinline)) void serve(void) { for (;;) sink += work(200000); }
            int main(void) { serve(); return 0; }
            """;

    /** The stub; DIR is replaced by the test's directory. */
    private static final String STUB_KUBECTL = """
            #!/bin/sh
            # STUB kubectl for tests (there is no cluster here): get endpointslices / get pods answer from
            # files; exec POD -- CMD runs CMD in the namespaces of the process standing for POD's node.
            echo "$(date +%s.%N) $*" >> DIR/kubectl-args.txt
            case "$1" in
              get)
                case "$2" in
                  endpointslices) exec cat DIR/endpointslices.json ;;
                  pods) exec cat DIR/pods.json ;;
                esac ;;
              exec)
                shift
                pod=
                while [ $# -gt 0 ] && [ "$1" != "--" ]; do
                  case "$1" in -n|-c) shift 2 ;; *) pod=$1; shift ;; esac
                done
                shift
                [ -f "DIR/nodes/$pod" ] || { echo "Error from server (NotFound): pods \\"$pod\\" not found" >&2; exit 1; }
                exec nsenter --target "$(cat "DIR/nodes/$pod")" --pid --mount -- "$@" ;;
            esac
            echo "stub kubectl: unexpected: $*" >&2
            exit 2
            """;

    @TempDir
    Path tmp;

    private Path bin;
    private Path kubectl;
    private final List<Process> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed (apt-get install gcc)");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/bin/nsenter")),
                "unshare/nsenter are not installed (apt-get install util-linux)");
        Shared.requireThat("root".equals(System.getProperty("user.name")),
                "not root: cannot give each stand-in node its own PID namespace");
        bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("replica.c"), REPLICA_C);
        Process cc = new ProcessBuilder("gcc", "-O0", "-fno-omit-frame-pointer", "-fno-inline", "-o",
                bin.resolve("kube-apiserver").toString(), bin.resolve("replica.c").toString()).inheritIO().start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).isZero();
        kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, STUB_KUBECTL.replace("DIR", tmp.toString()));
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("nodes"));
    }

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process p : nodes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // PID 1 of a namespace takes only SIGKILL
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts a kube-apiserver stand-in in namespaces of its own: the node of {@code pod}. */
    private void node(String pod) throws Exception {
        Process u = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", bin.resolve("kube-apiserver").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        nodes.add(u);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            var child = u.children().filter(c -> c.info().command().orElse("").endsWith("/kube-apiserver")).findFirst();
            if (child.isPresent()) {
                Files.writeString(tmp.resolve("nodes").resolve(pod), Long.toString(child.get().pid()));
                return;
            }
            assertThat(System.nanoTime()).as("the stand-in of " + pod + " started").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void endpoints(String... nodeNames) throws IOException {
        StringBuilder eps = new StringBuilder();
        for (int i = 0; i < nodeNames.length; i++) {
            eps.append(i == 0 ? "" : ",").append("{\"addresses\":[\"10.0.0.").append(i + 1)
                    .append("\"],\"conditions\":{\"ready\":true},\"nodeName\":\"").append(nodeNames[i]).append("\"}");
        }
        Files.writeString(tmp.resolve("endpointslices.json"), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{"
                + "\"kind\":\"EndpointSlice\",\"addressType\":\"IPv4\",\"metadata\":{\"name\":\"kubernetes\"},"
                + "\"endpoints\":[" + eps + "],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}]}");
    }

    /** A PodList item. */
    private static String pod(String name, String node, String phase, String labels) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"kube-system\",\"labels\":{" + labels + "}},"
                + "\"spec\":{\"nodeName\":\"" + node + "\"},\"status\":{\"phase\":\"" + phase + "\"}}";
    }

    private void pods(String... items) throws IOException {
        Files.writeString(tmp.resolve("pods.json"), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
                + String.join(",", items) + "]}");
    }

    private ProfileRun.Options options(Path out, String selector) {
        return new ProfileRun.Options("kube-apiserver", 0, Duration.ofSeconds(2), 99,
                ExecTarget.kubectl("debug-profiler", "kube-system", null), 0, kubectl.toString(), false, null, out,
                Rules.kubeApiserver(), true, selector);
    }

    private static FoldedProfile read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return FoldedProfile.read(in, file.toString());
        }
    }

    private static Path folded(Path out, String instance) {
        return out.resolve("replicas").resolve("replicas").resolve(instance.replace(':', '_')).resolve("kube-apiserver.folded");
    }

    private static boolean hasServeStack(FoldedProfile p) {
        return p.asMap().keySet().stream().map(FoldedProfile::frames)
                .anyMatch(f -> f.indexOf("serve") >= 0 && f.indexOf("work") > f.indexOf("serve"));
    }

    /** The start times of the perf record calls, in seconds, from the stub's log. */
    private List<Double> perfRecordStarts() throws IOException {
        return Files.readAllLines(tmp.resolve("kubectl-args.txt")).stream().filter(l -> l.contains(" -- perf record "))
                .map(l -> Double.parseDouble(l.substring(0, l.indexOf(' ')))).toList();
    }

    @Test
    void recordsEachReplicaInItsNodesPodAtOnceAndWritesEachResultSetTheMergedOneAndTheComparison() throws Exception {
        node("profiler-node-a");
        node("profiler-node-b");
        endpoints("node-a", "node-b");
        pods(pod("profiler-node-a", "node-a", "Running", "\"app\":\"debug-profiler\""),
                pod("profiler-node-b", "node-b", "Running", "\"app\":\"debug-profiler\""));
        Path out = tmp.resolve("results");
        List<String> said = new ArrayList<>();

        LabPipeline.Result r = new ProfileRun().run(options(out, "app=debug-profiler"), said::add);

        FoldedProfile a = read(folded(out, "10.0.0.1:6443"));
        FoldedProfile b = read(folded(out, "10.0.0.2:6443"));
        assertThat(hasServeStack(a)).as("replica a's stacks").isTrue();
        assertThat(hasServeStack(b)).as("replica b's stacks").isTrue();
        FoldedProfile merged = read(out.resolve("replicas").resolve("merged").resolve("kube-apiserver.folded"));
        assertThat(merged.total()).isEqualTo(a.total() + b.total());
        assertThat(merged.asMap().keySet()).anyMatch(s -> s.startsWith("instance=10.0.0.1:6443;"))
                .anyMatch(s -> s.startsWith("instance=10.0.0.2:6443;"));
        assertThat(r.report().total()).isEqualTo(a.total() + b.total());
        assertThat(r.report().samples()).as("perf's folded stacks count samples").isEqualTo(a.total() + b.total());
        String comparison = Files.readString(out.resolve("replicas").resolve("replicas.txt"));
        assertThat(comparison).startsWith("2 replicas, samples/count; hot: ").contains("10.0.0.1:6443").contains("10.0.0.2:6443");
        assertThat(out.resolve("replicas").resolve("replicas.json")).exists();
        assertThat(out.resolve("flame.svg")).exists();
        assertThat(said).anyMatch(s -> s.startsWith("recording kube-apiserver on 2 of 2 replicas at once through their"
                + " nodes' debug pods: 10.0.0.1:6443 (node-a) in pod profiler-node-a, 10.0.0.2:6443 (node-b) in pod profiler-node-b"));
        List<String> calls = Files.readAllLines(tmp.resolve("kubectl-args.txt"));
        assertThat(calls).anyMatch(c -> c.endsWith(" get pods -n kube-system -l app=debug-profiler -o json"))
                .anyMatch(c -> c.contains(" exec -n kube-system profiler-node-a -- perf record -e cpu-clock -F 99 -g -p 1 "))
                .anyMatch(c -> c.contains(" exec -n kube-system profiler-node-b -- perf record -e cpu-clock -F 99 -g -p 1 "));
        List<Double> starts = perfRecordStarts();
        assertThat(starts).hasSize(2);
        assertThat(Math.abs(starts.get(0) - starts.get(1))).as("the recordings overlap (2 s each)").isLessThan(2.0);
    }

    @Test
    void aNodeWithoutADebugPodIsNamedWithTheFixAndTheOtherReplicasAreStillRecorded() throws Exception {
        node("debug-profiler-aaaaa");
        node("debug-profiler-bbbbb");
        endpoints("node-a", "node-b", "node-c");
        pods(pod("debug-profiler-aaaaa", "node-a", "Running", ""),
                pod("debug-profiler-bbbbb", "node-b", "Running", ""),
                pod("coredns-5d78c9869d-x2x4v", "node-c", "Running", ""),
                pod("debug-profiler-ccccc", "node-c", "Pending", ""));
        Path out = tmp.resolve("results");
        List<String> said = new ArrayList<>();

        assertThatThrownBy(() -> new ProfileRun().run(options(out, null), said::add))
                .isInstanceOf(NoTargetException.class)
                .hasMessageStartingWith("1 of 3 replicas gave no profile: 10.0.0.3:6443: node node-c (replica 10.0.0.3:6443)"
                        + " has no running debug pod (pods named debug-profiler* in namespace kube-system): apply the"
                        + " DaemonSet with 'kubectl apply -f manifests/debug-profiler-daemonset.yaml'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        assertThat(said).anyMatch(s -> s.startsWith("warning: node node-c (replica 10.0.0.3:6443) has no running debug pod"));
        FoldedProfile a = read(folded(out, "10.0.0.1:6443"));
        FoldedProfile b = read(folded(out, "10.0.0.2:6443"));
        assertThat(hasServeStack(a)).isTrue();
        assertThat(hasServeStack(b)).isTrue();
        assertThat(read(out.resolve("replicas").resolve("merged").resolve("kube-apiserver.folded")).total())
                .isEqualTo(a.total() + b.total());
        assertThat(Files.readString(out.resolve("replicas").resolve("replicas.txt")))
                .startsWith("2 replicas, ").contains("10.0.0.1:6443").contains("10.0.0.2:6443").doesNotContain("10.0.0.3");
        assertThat(folded(out, "10.0.0.3:6443")).doesNotExist();
        assertThat(Files.readAllLines(tmp.resolve("kubectl-args.txt"))).noneMatch(c -> c.contains("ccccc") || c.contains("coredns"))
                .anyMatch(c -> c.endsWith(" get pods -n kube-system -o json"));
        assertThat(perfRecordStarts()).hasSize(2);
    }
    @Test
    void aStopEndsEveryReplicasRecordingEarlyAndWhatWasRecordedIsWritten() throws Exception {
        node("debug-profiler-aaaaa");
        node("debug-profiler-bbbbb");
        endpoints("node-a", "node-b");
        pods(pod("debug-profiler-aaaaa", "node-a", "Running", ""), pod("debug-profiler-bbbbb", "node-b", "Running", ""));
        Path out = tmp.resolve("results");
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProfileRun run = new ProfileRun();
        ProfileRun.Options o = new ProfileRun.Options("kube-apiserver", 0, Duration.ofSeconds(60), 99,
                ExecTarget.kubectl("debug-profiler", "kube-system", null), 0, kubectl.toString(), false, null, out,
                Rules.kubeApiserver(), true, null);
        var result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run.run(o, said::add);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (said.stream().filter(l -> l.contains(": recording PID 1 ")).count() < 2) {
            assertThat(System.nanoTime()).as("both recordings started: " + said).isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(2000);
        long stopped = System.nanoTime();
        run.stop();

        LabPipeline.Result r = result.get(40, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopped)).as("ended well before the 60 s").isLessThan(30);
        FoldedProfile a = read(folded(out, "10.0.0.1:6443"));
        FoldedProfile b = read(folded(out, "10.0.0.2:6443"));
        assertThat(a.total()).isPositive();
        assertThat(b.total()).isPositive();
        assertThat(r.report().total()).isEqualTo(a.total() + b.total());
        // (the stub's perf runs on this machine, so it is signalled here, not with pkill in the pod)
    }
}
