package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's load loop, against a stub {@code kubectl} (there is no cluster here): a shell script that
 * records its arguments and its PID and takes a little time, like a real call would.
 */
class KubectlLoadTest {

    @Test
    void runsParallelBoundedLoopsOfGetPodsAllNamespacesAndLeavesNoProcess(@TempDir Path dir) throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/bin/sh")), "/bin/sh is needed for the stub kubectl");
        Path log = dir.resolve("calls.log");
        Path stub = dir.resolve("kubectl");
        Files.writeString(stub, "#!/bin/sh\n# stub kubectl: no cluster here\necho \"$$ $*\" >> '" + log + "'\nsleep 0.05\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));

        long t0 = System.nanoTime();
        // 3 s: on a loaded 2-core machine a shell can take over a second to start
        KubectlLoad load = KubectlLoad.start(stub.toString(), List.of("--context", "lab"), 3, Duration.ofMillis(3000));
        String summary = load.finish();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        List<String> calls = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(calls).isNotEmpty();
        assertThat(calls).allSatisfy(c -> assertThat(c).endsWith(" --context lab get pods --all-namespaces"));
        assertThat(load.succeeded()).isEqualTo(calls.size());
        assertThat(load.failures()).isZero();
        assertThat(summary).startsWith("3 kubectl clients: " + calls.size() + " calls ok");
        assertThat(tookMillis).as("bounded: 3 s plus at most one call").isLessThan(3000 + 5000);
        for (String c : calls) {
            long pid = Long.parseLong(c.substring(0, c.indexOf(' ')));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stub " + pid + " still running").isFalse();
        }
    }

    @Test
    void countsFailingCallsWithoutSpinning(@TempDir Path dir) throws Exception {
        Path stub = dir.resolve("kubectl");
        Files.writeString(stub, "#!/bin/sh\n# stub kubectl that cannot reach a cluster\necho 'The connection to the server was refused' >&2\nexit 1\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        long t0 = System.nanoTime();
        KubectlLoad load = KubectlLoad.start(stub.toString(), List.of(), 2, Duration.ofMillis(800));
        // let the load run its course: finish() stops it at once, possibly before a client started
        Thread.sleep(800);
        load.finish();
        long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(load.succeeded()).isZero();
        // each client pauses 200 ms after a failed call: no more than one call per pause, plus the last
        assertThat(load.failures()).isBetween(1L, 2L * (elapsedMillis / 200 + 2));
    }
}
