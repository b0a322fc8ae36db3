package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame pprof --kubectl} whose {@code kubectl get --raw} prints without end, or more than the
 * size cap: the cap of {@code --url} fetches ({@code --max-size}, {@link PprofServerFaultsTest}) holds
 * here too. There is no cluster here: a <b>stub</b> kubectl ({@code --kubectl-program}) writes its PID
 * to a file and becomes {@code yes} or {@code head -c}.
 */
class PprofKubectlSizeCapTest {
    @TempDir
    Path tmp;

    private Path stub(String body) throws IOException {
        Shared.requireThat(Files.isExecutable(Path.of("/bin/sh")), "/bin/sh is needed for the stub kubectl");
        Path kubectl = tmp.resolve("kubectl");
        Files.writeString(kubectl, "#!/bin/sh\n# STUB kubectl for tests (no cluster here): get --raw prints what a"
                + " misbehaving server would\necho $$ > '" + tmp.resolve("pid") + "'\n" + body + "\n");
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return kubectl;
    }

    private static void oneLineNoTrace(SvgChecks.Run r) {
        assertThat(r.err.lines().filter(l -> !l.startsWith("flame pprof: "))).as(r.err).hasSize(1)
                .allMatch(l -> l.startsWith("flame: "));
        assertThat(r.err).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void anEndlessAnswerStopsAtTheSizeCapSaysSoAndEndsKubectl() throws Exception {
        Path kubectl = stub("exec yes 'not a profile'");
        Path out = tmp.resolve("out");
        long t0 = System.nanoTime();
        SvgChecks.Run r = SvgChecks.flame("pprof", "--kubectl", "--kubectl-program", kubectl.toString(), "--seconds", "1",
                "--max-size", "4m", "--output-dir", out.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.BAD_INPUT);
        oneLineNoTrace(r);
        assertThat(r.err).contains(kubectl + " get --raw /debug/pprof/profile?seconds=1")
                .contains("exceeded the size cap of 4 MB (4194304 bytes)").contains("--max-size");
        // at the cap, not at the deadline (1 s + 60 s of grace)
        assertThat(ms).isLessThan(30_000);
        assertThat(Files.exists(out) ? Files.list(out).toList() : java.util.List.of()).isEmpty();
        long pid = Long.parseLong(Files.readString(tmp.resolve("pid")).strip());
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stub kubectl " + pid + " ended")
                .isFalse();
        System.out.println("endless kubectl get --raw: cap of 4 MB hit after " + ms + " ms");
    }

    @Test
    void anAnswerOverTheCapIsRefusedSayingSo() throws Exception {
        Path kubectl = stub("exec head -c 5000000 /dev/zero");
        SvgChecks.Run r = SvgChecks.flame("pprof", "--kubectl", "--kubectl-program", kubectl.toString(), "--seconds", "1",
                "--max-size", "4m", "--output-dir", tmp.resolve("out").toString());
        assertThat(r.code).as(r.err).isEqualTo(ExitCodes.BAD_INPUT);
        oneLineNoTrace(r);
        assertThat(r.err).contains("exceeded the size cap of 4 MB (4194304 bytes)");

        // the same bytes under a cap they fit: read, and refused for what they are (no profile), not for their size
        SvgChecks.Run fits = SvgChecks.flame("pprof", "--kubectl", "--kubectl-program", kubectl.toString(), "--seconds",
                "1", "--max-size", "8m", "--output-dir", tmp.resolve("out2").toString());
        assertThat(fits.err).doesNotContain("size cap");
    }
}
