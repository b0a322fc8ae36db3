package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A kubectl that hangs, as one does whose cluster stops answering: {@code flame record --via kubectl}
 * run as its own JVM with a <b>stub</b> kubectl first on the PATH (there is no cluster here). The stub
 * runs {@code exec POD -- CMD} locally, as the debug pod would, except that when CMD matches the
 * shell pattern {@code $STUB_HANG} it sleeps forever. Each command besides the recording has a deadline
 * ({@code --command-timeout}); the message names the command and the deadline, and the stub's
 * sleepers are gone afterwards.
 */
class KubectlHangsTest {
    private static final String STUB_KUBECTL = """
            #!/bin/sh
            # STUB kubectl for tests (no cluster here): runs 'exec ... -- CMD' locally; hangs when CMD
            # matches $STUB_HANG, as a kubectl whose API server stopped answering does
            [ "$1" = exec ] || { echo "stub kubectl: only exec is supported" >&2; exit 1; }
            while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
            shift
            case "$*" in
              $STUB_HANG) echo $$ >> "$STUB_SLEEPERS"; exec sleep infinity ;;
            esac
            exec "$@"
            """;

    @TempDir
    Path tmp;
    private Path stubDir;
    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @BeforeEach
    void stub() throws IOException {
        stubDir = Files.createDirectories(tmp.resolve("stub"));
        Path stub = stubDir.resolve("kubectl");
        Files.writeString(stub, STUB_KUBECTL);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** {@code flame ARGS} as its own JVM, the stub kubectl first on its PATH. */
    private Process flame(String hang, String... args) throws IOException {
        return processes.flame(tmp, List.of(), Map.of("PATH", stubDir + ":" + System.getenv("PATH"), "STUB_HANG", hang,
                "STUB_SLEEPERS", tmp.resolve("sleepers").toString()), args);
    }

    private String stderr() throws IOException {
        return ChildProcesses.stderr(tmp);
    }

    private static int exit(Process p) throws InterruptedException {
        return ChildProcesses.exit(p);
    }

    /** The stub's hanging kubectls were all ended (each logged its PID before it hung). */
    private void sleepersEnded() throws Exception {
        List<String> pids = Files.readAllLines(tmp.resolve("sleepers"));
        assertThat(pids).as("a stub kubectl hung").isNotEmpty();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String pid : pids) {
            while (ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive).orElse(false)
                    && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive).orElse(false))
                    .as("hung stub kubectl " + pid + " still running").isFalse();
        }
    }

    /** A busy process named {@code name}: a copy of dash in an endless loop. */
    private Process busy(String name) throws IOException {
        Path exe = tmp.resolve(name);
        Files.copy(Path.of("/bin/dash"), exe);
        exe.toFile().setExecutable(true);
        Process p = processes.track(new ProcessBuilder(exe.toString(), "-c", "while :; do :; done").start());
        return p;
    }

    private static String name(String tag) {
        String n = tag + ProcessHandle.current().pid();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    @Test
    void aKubectlThatHangsAtTheFirstCommandIsStoppedAtTheDeadlineAndNamed() throws Exception {
        long t0 = System.nanoTime();
        Process f = flame("*", "record", "--via", "kubectl", "--pod", "debug-profiler", "--process", "x",
                "--duration", "1s", "--command-timeout", "2s", "--output-dir", tmp.resolve("out").toString());
        int code = exit(f);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(code).as(stderr()).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(stderr()).isEqualTo("flame: 'kubectl exec debug-profiler -- perf --version' did not end within 2 s"
                + " (the deadline of each command besides the recording itself) and was stopped: is the cluster"
                + " reachable and the pod running? (kubectl get pod shows it)\n");
        assertThat(ms).as("ended near the 2 s deadline, not at the 30 s default").isLessThan(20_000);
        sleepersEnded();
        System.out.println("kubectl hanging at perf --version: flame ended after " + ms + " ms with --command-timeout 2s");
    }

    @Test
    void aKubectlThatHangsWhileFindingTheProcessIsNamed() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Process f = flame("ls /proc", "record", "--via", "kubectl", "--pod", "debug-profiler", "--process", "x",
                "--duration", "1s", "--command-timeout", "2s", "--output-dir", tmp.resolve("out").toString());
        assertThat(exit(f)).as(stderr()).isEqualTo(ExitCodes.NO_TARGET);
        assertThat(stderr()).startsWith("flame: 'kubectl exec debug-profiler -- ls /proc' did not end within 2 s")
                .doesNotContain("\tat ").hasLineCount(1);
        sleepersEnded();
    }

    @Test
    void aCopyThatHangsCostsTheCopyNotTheProfile() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(Files.isExecutable(Path.of("/bin/dash")), "/bin/dash is missing");
        String name = name("sfhang");
        busy(name);
        Path out = tmp.resolve("out");
        Process f = flame("cat */perf.data", "record", "--via", "kubectl", "--pod", "debug-profiler", "--process", name,
                "--duration", "2s", "--command-timeout", "2s", "--keep", "--output-dir", out.toString());
        assertThat(exit(f)).as(stderr()).isZero();
        assertThat(stderr()).containsPattern("'kubectl exec debug-profiler -- cat /[^ ]*/perf\\.data' sent nothing for 2 s"
                + " \\(0 bytes copied\\) \\(the deadline of each command besides the recording itself\\) and was stopped")
                .contains("the profile is written without " + name + ".perf.data");
        FoldedProfile p;
        try (InputStream in = Files.newInputStream(out.resolve(name + ".folded"))) {
            p = FoldedProfile.read(in, name + ".folded");
        }
        assertThat(p.total()).as("the recording is kept").isPositive();
        System.out.println("copy hung: " + stderr().strip());
        assertThat(out.resolve(name + ".perf.data")).doesNotExist();
        try (var s = Files.list(out)) {
            assertThat(s.map(x -> x.getFileName().toString())).noneMatch(n -> n.endsWith(".data") || n.startsWith(".perf"));
        }
        sleepersEnded();
    }
}
