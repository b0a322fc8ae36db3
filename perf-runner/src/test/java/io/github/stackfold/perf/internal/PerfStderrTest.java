package io.github.stackfold.perf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfStderrTest {
    private final List<String> warnings = new ArrayList<>();
    private final PerfStderr err = new PerfStderr(warnings::add);

    private void feed(String text) {
        text.lines().forEach(err);
    }

    @Test
    void routineChatterIsDroppedAndTheSampleCountKept() {
        feed("""
                [ perf record: Woken up 1 times to write data ]
                [ perf record: Captured and wrote 0.007 MB /tmp/stackfold-perf.x/perf.data (79 samples) ]
                Failed to open /tmp/perf-4242.map, continue without symbols
                no symbols found in /usr/local/bin/kube-apiserver, maybe install a debug package?
                """);
        assertThat(warnings).isEmpty();
        assertThat(err.wrote()).isTrue();
        assertThat(err.samples()).isEqualTo(79);
        assertThat(err.errors()).isEmpty();
    }

    @Test
    void awaitWroteReturnsWhenTheLineArrivesAndOtherwiseAfterItsTimeout() throws Exception {
        assertThat(err.awaitWrote(30)).as("nothing written yet").isFalse();
        Thread perf = new Thread(() -> {
            err.accept("[ perf record: Woken up 1 times to write data ]");
            err.accept("[ perf record: Captured and wrote 0.000 MB - ]");
        });
        long start = System.nanoTime();
        perf.start();
        assertThat(err.awaitWrote(60_000)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("woken by the line, not by the timeout")
                .isLessThan(Duration.ofSeconds(30));
        perf.join();
        assertThat(err.awaitWrote(0)).isTrue();
        assertThat(err.samples()).as("perf record in pipe mode gives no count").isEqualTo(-1);
    }

    @Test
    void heldWarningsWaitForPassWarningsToAndLaterOnesFollowAtOnce() {
        PerfStderr holding = PerfStderr.holdingWarnings();
        holding.accept("Warning:");
        holding.accept("Processed 12000 events and lost 3 chunks!");
        holding.accept("[ perf record: Captured and wrote 0.000 MB - ]");
        List<String> got = new ArrayList<>();
        assertThat(holding.wrote()).isTrue();
        holding.passWarningsTo(got::add);
        assertThat(got).containsExactly("perf: Processed 12000 events and lost 3 chunks!");
        holding.accept("Warning:");
        holding.accept("Check IO/CPU overload!");
        assertThat(got).containsExactly("perf: Processed 12000 events and lost 3 chunks!", "perf: Check IO/CPU overload!");
    }

    @Test
    void aWriteWithoutASampleCountLeavesTheCountUnknown() {
        feed("[ perf record: Captured and wrote 0.001 MB /tmp/stackfold-perf.x/perf.data ]\n");
        assertThat(err.wrote()).isTrue();
        assertThat(err.samples()).isEqualTo(-1);
    }

    @Test
    void realWarningsArePassedOnLineByLine() {
        feed("""
                Warning:
                Processed 12000 events and lost 3 chunks!

                Check IO/CPU overload!
                """);
        assertThat(warnings).containsExactly("perf: Processed 12000 events and lost 3 chunks!", "perf: Check IO/CPU overload!");
    }

    @Test
    void restrictedKernelAddressMapsAreOneFactNotWarnings() {
        feed("""
                WARNING: Kernel address maps (/proc/{kallsyms,modules}) are restricted,
                check /proc/sys/kernel/kptr_restrict and /proc/sys/kernel/perf_event_paranoid.
                """);
        assertThat(err.kernelSymbolsHidden()).isTrue();
        assertThat(warnings).isEmpty();
    }

    @Test
    void nsenterAndKubectlSayingPerfIsAbsentMeanPerfIsMissing() {
        PerfStderr a = new PerfStderr(w -> { });
        a.accept("nsenter: failed to execute perf: No such file or directory");
        PerfStderr b = new PerfStderr(w -> { });
        b.accept("OCI runtime exec failed: exec failed: unable to start container process: exec: \"perf\":"
                + " executable file not found in $PATH: unknown");
        assertThat(a.perfMissing()).isTrue();
        assertThat(b.perfMissing()).isTrue();
    }

    @Test
    void aFileThatCannotBeCreatedIsAnErrorButNotAPermissionSetting() {
        feed("failed to open /tmp/x/perf.data : Permission denied\nPerf session creation failed.\n");
        assertThat(err.notPermitted()).isFalse();
        assertThat(err.firstError("none")).isEqualTo("failed to open /tmp/x/perf.data : Permission denied");
    }

    @Test
    void realPerfAsAnUnprivilegedUserIsNotPermittedAndNamesTheParanoidSetting(@TempDir Path dir) throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is not installed (util-linux)");
        Shared.requireThat("root".equals(System.getProperty("user.name")), "needs root to switch to the user nobody");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Process target = new ProcessBuilder("sleep", "30").start(); // root's: nobody may not profile it
        try {
            Child.Result r = Child.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "perf", "record", "-e", "cpu-clock", "-p", Long.toString(target.pid()), "-o",
                    dir.resolve("perf.data").toString(), "--", "sleep", "0.1"), Duration.ofSeconds(30));
            r.stderr().forEach(err);

            assertThat(r.exitCode()).isNotZero();
            assertThat(err.notPermitted()).as(r.stderrText()).isTrue();
            assertThat(err.wrote()).isFalse();
            assertThat(warnings).isEmpty();
            String paranoid = Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip();
            assertThat(err.paranoid()).as(r.stderrText()).isIn(paranoid, null);
        } finally {
            target.destroyForcibly();
            target.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
