package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code flame record} run as its own JVM (the classpath of this test) on real processes with real
 * perf. There is no Kubernetes cluster here: the kubectl path uses a <b>stub</b> {@code kubectl}
 * script, first on PATH, that runs the command given after {@code --} locally.
 */
class RecordCommandTest {
    /** A C program with frames main;spin_outer;spin_inner (frame pointers, no inlining). */
    private static final String BUSY_C = """
            volatile unsigned long sink;
            __attribute__((noinline)) unsigned long spin_inner(unsigned long n) {
                unsigned long s = 0;
                for (unsigned long i = 0; i < n; i++) s += i * i;
                return s;
            }
            __attribute__((noinline)) void spin_outer(void) { for (;;) sink += spin_inner(100000); }
            int main(void) { spin_outer(); return 0; }
            """;

    /**
     * The stub: accepts only {@code kubectl exec [-n NS] POD [-c C] -- CMD...} for the pod
     * {@code debug-profiler}, logs the call, and runs CMD here as the debug pod would.
     */
    static final String STUB_KUBECTL = """
            #!/bin/sh
            # STUB kubectl for tests (there is no cluster here): runs 'exec ... -- CMD' locally.
            echo "$*" >> "$STUB_KUBECTL_LOG"
            [ "$1" = exec ] || { echo "stub kubectl: only exec is supported" >&2; exit 1; }
            shift
            pod=
            while [ $# -gt 0 ] && [ "$1" != "--" ]; do
              case "$1" in -n|-c) shift 2 ;; *) pod=$1; shift ;; esac
            done
            [ "$pod" = debug-profiler ] || { echo "Error from server (NotFound): pods \\"$pod\\" not found" >&2; exit 1; }
            shift
            exec "$@"
            """;

    private static Path bin;
    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed (apt-get install gcc)");
        bin = Files.createTempDirectory("stackfold-record-test");
        Files.writeString(bin.resolve("busy.c"), BUSY_C);
        Process cc = new ProcessBuilder("gcc", "-O0", "-fno-omit-frame-pointer", "-fno-inline", "-o",
                bin.resolve("busy").toString(), bin.resolve("busy.c").toString()).inheritIO().start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).isZero();
        Path stub = Files.createDirectories(bin.resolve("stub")).resolve("kubectl");
        Files.writeString(stub, STUB_KUBECTL);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void removeBin() throws IOException {
        if (bin != null) {
            try (var s = Files.walk(bin)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Process busy(String name) throws IOException {
        Path exe = bin.resolve(name);
        if (!Files.exists(exe)) {
            Files.copy(bin.resolve("busy"), exe);
            exe.toFile().setExecutable(true);
        }
        return processes.track(new ProcessBuilder(exe.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    private static String name(String tag) {
        String n = tag + ProcessHandle.current().pid();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    /** {@code flame ARGS} as a separate JVM with SIGINT/SIGTERM at their defaults (not inherited as ignored). */
    private Process flame(Map<String, String> env, String... args) throws IOException {
        return processes.flame(tmp, List.of("env", "--default-signal=INT,TERM"), env, args);
    }

    private String stderr() throws IOException {
        return ChildProcesses.stderr(tmp);
    }

    private static int exit(Process p) throws InterruptedException {
        return ChildProcesses.exit(p);
    }

    private static boolean hasBusyStack(Path folded, String comm) throws IOException {
        FoldedProfile p = FoldedProfile.read(Files.newInputStream(folded), folded.toString());
        return p.asMap().keySet().stream().map(FoldedProfile::frames).anyMatch(f -> f.get(0).equals(comm)
                && f.indexOf("main") > 0 && f.indexOf("spin_outer") > f.indexOf("main")
                && f.indexOf("spin_inner") > f.indexOf("spin_outer"));
    }

    /** perf processes recording {@code pid} anywhere on this machine. */
    private static List<ProcessHandle> perfRecording(long pid) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().command().orElse("").endsWith("/perf"))
                .filter(h -> String.join(" ", h.info().arguments().orElse(new String[0])).contains("-p " + pid + " "))
                .toList();
    }

    @Test
    void recordsThroughAStubKubectlRunningPerfInThePodAndWritesNameDotFolded() throws Exception {
        String name = name("sfkube");
        busy(name);
        Path log = tmp.resolve("kubectl.log");
        Path out = tmp.resolve("results");
        Process f = flame(Map.of("PATH", bin.resolve("stub") + ":" + System.getenv("PATH"),
                        "STUB_KUBECTL_LOG", log.toString()),
                "record", "--via", "kubectl", "--pod", "debug-profiler", "-n", "kube-system", "--process", name,
                "--duration", "1s", "--output-dir", out.toString());

        assertThat(exit(f)).as(stderr()).isZero();
        assertThat(hasBusyStack(out.resolve(name + ".folded"), name)).isTrue();
        assertThat(Files.readString(out.resolve("flame.svg"))).startsWith("<?xml").contains("spin_inner").endsWith("</svg>\n");
        List<String> calls = Files.readAllLines(log);
        assertThat(calls).allMatch(c -> c.startsWith("exec -n kube-system debug-profiler -- "));
        assertThat(calls).anyMatch(c -> c.startsWith("exec -n kube-system debug-profiler -- ls /proc"))
                .anyMatch(c -> c.contains("-- perf record -e cpu-clock -F 99 -g -p "))
                .anyMatch(c -> c.contains("-- perf script -i /"))
                .anyMatch(c -> c.contains("-- rm -r -f -- /"));
        assertThat(stderr()).startsWith("flame: recorded PID ").containsPattern(" stacks?, no program frame left unnamed \\(");
    }

    @Test
    void aPodThatDoesNotExistIsExitCode5WithKubectlsOwnMessageAndHowToCreateIt() throws Exception {
        Process f = flame(Map.of("PATH", bin.resolve("stub") + ":" + System.getenv("PATH"),
                        "STUB_KUBECTL_LOG", tmp.resolve("kubectl.log").toString()),
                "record", "--via", "kubectl", "--pod", "no-such-pod", "--duration", "1s");
        assertThat(exit(f)).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(stderr()).isEqualTo("flame: kubectl pod no-such-pod: Error from server (NotFound): pods \"no-such-pod\""
                + " not found: create the debug pod with 'kubectl apply -f manifests/debug-profiler.yaml' (pod debug-profiler"
                + " in namespace kube-system, so add -n kube-system), or name a running pod with perf with --pod and -n\n");
    }

    @Test
    void kubectlNotInstalledIsExitCode3() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-bin"));
        Process f = flame(Map.of("PATH", empty.toString()),
                "record", "--via", "kubectl", "--pod", "debug-profiler", "--duration", "1s");
        assertThat(exit(f)).isEqualTo(ExitCodes.MISSING_TOOL);
        assertThat(stderr()).isEqualTo(
                "flame: kubectl is not installed or not on PATH (see https://kubernetes.io/docs/tasks/tools/)\n");
    }

    @Test
    void nsenterNotInstalledIsExitCode3() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-bin"));
        Process f = flame(Map.of("PATH", empty.toString()), "record", "--via", "nsenter", "--duration", "1s");
        assertThat(exit(f)).isEqualTo(ExitCodes.MISSING_TOOL);
        assertThat(stderr()).isEqualTo("flame: nsenter is not installed (apt-get install util-linux)\n");
    }

    @Test
    void severalProcessesOfTheNameAreExitCode5ListingThemAndAskingForPid() throws Exception {
        String name = name("sftwo");
        Process a = busy(name);
        Process b = busy(name);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"record", "--process", name, "--duration", "1s", "--output-dir",
                tmp.resolve("results").toString()}, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
        assertThat(code).isEqualTo(ExitCodes.NO_TARGET);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(e).startsWith("flame: 2 processes are named '" + name + "'; choose one with --pid:")
                .contains("[PID " + a.pid() + ": " + bin.resolve(name) + "]")
                .contains("[PID " + b.pid() + ": " + bin.resolve(name) + "]")
                .endsWith("]\n");
        assertThat(e.lines().count()).isEqualTo(1);
        assertThat(tmp.resolve("results")).doesNotExist();
    }

    @Test
    void sigintAndSigtermStopTheRecordingWriteTheGraphAndLeaveNoPerfBehind() throws Exception {
        String name = name("sfsig");
        Process target = busy(name);
        for (String signal : List.of("INT", "TERM")) {
            Path out = tmp.resolve("results-" + signal + System.nanoTime());
            Process f = flame(Map.of(), "record", "--pid", Long.toString(target.pid()), "--duration", "60s",
                    "--output-dir", out.toString());
            awaitSampling(f);
            awaitCpu(target.toHandle(), Duration.ofMillis(150));
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(f.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

            assertThat(exit(f)).as(signal + ": " + stderr()).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(stderr()).startsWith("flame: interrupted; recorded PID " + target.pid());
            assertThat(hasBusyStack(out.resolve(name + ".folded"), name)).isTrue();
            assertThat(perfRecording(target.pid())).isEmpty();
        }
    }

    /**
     * Waits until {@code p} used {@code cpu} more CPU time: the middle of a recording on a machine of
     * any load (about 15 samples at 99 Hz).
     */
    private static void awaitCpu(ProcessHandle p, Duration cpu) throws InterruptedException {
        Duration start = p.info().totalCpuDuration().orElse(Duration.ZERO);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until
                && p.info().totalCpuDuration().orElse(Duration.ZERO).minus(start).compareTo(cpu) < 0) {
            Thread.sleep(20);
        }
    }

    /** Waits until flame's perf record runs its workload (sleep), i.e. samples. */
    private static void awaitSampling(Process flame) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            boolean sampling = flame.descendants().anyMatch(h -> h.info().command().orElse("").endsWith("/sleep")
                    && h.parent().flatMap(pp -> pp.info().command()).orElse("").endsWith("/perf"));
            if (sampling) {
                return;
            }
            assertThat(flame.isAlive()).as("flame still running").isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("perf record did not start sampling within 60 s");
    }

    @Test
    void pidAndProcessTogetherAreAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"record", "--pid", "1", "--process", "x"},
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("flame: --pid and --process exclude each other\n");
    }

    @Test
    void podOptionsWithoutViaKubectlAreAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"record", "--pod", "debug-profiler"},
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("flame: --pod, --namespace and --container need --via kubectl\n");
    }

    @Test
    void durationsAcceptSecondsMinutesMillisecondsAndPlainNumbers() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.convert("0.5")).isEqualTo(Duration.ofMillis(500));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"record", "--duration", "soon"},
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), err);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'soon' is not a duration");
    }

    @Test
    void progressIsDrawnOnlyOnATerminal() {
        StringWriter quiet = new StringWriter();
        RecordCommand.Progress off = new RecordCommand.Progress(new PrintWriter(quiet), false);
        off.progress(Duration.ofSeconds(3), Duration.ofSeconds(30));
        off.end();
        assertThat(quiet.toString()).isEmpty();

        StringWriter tty = new StringWriter();
        RecordCommand.Progress on = new RecordCommand.Progress(new PrintWriter(tty), true);
        on.progress(Duration.ofSeconds(15), Duration.ofSeconds(30));
        on.end();
        assertThat(tty.toString()).isEqualTo("\rrecording [" + "#".repeat(15) + ".".repeat(15) + "] 15.0s/30.0s \n");
    }
}
