package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * perf record killed with SIGKILL in the middle of a real {@code flame record} (its own JVM, real perf,
 * a real busy process): what perf wrote until then is folded and drawn, and the message says the
 * recording was cut and by which signal. Three ways perf records: streaming into perf script (the
 * default), into a perf.data file ({@code --no-stream}), and in a pod ({@code --via kubectl}, a file too).
 */
class PerfKilledTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /** perf record (not its setsid launcher, not perf script) among {@code flame}'s descendants, once it samples. */
    private static Optional<ProcessHandle> perfRecordSampling(Process flame) {
        return flame.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/perf"))
                .filter(h -> List.of(h.info().arguments().orElse(new String[0])).contains("record"))
                // its workload (sleep) runs once the events are enabled
                .filter(h -> h.children().anyMatch(c -> c.info().command().orElse("").endsWith("/sleep")))
                .findFirst();
    }

    @Test
    void perfKilledMidRecordKeepsWhatItWroteAndSaysTheRecordingWasCut() throws Exception {
        killPerfMidRecord("streaming", List.of(), Map.of());
    }

    /**
     * With --no-stream perf writes a perf.data file, whose header gets its data size (and perf script
     * the means to read it) only when perf ends: the samples perf wrote before the SIGKILL are read by
     * our own reader.
     */
    @Test
    void perfKilledMidRecordIntoAFileKeepsWhatItWrote() throws Exception {
        killPerfMidRecord("--no-stream", List.of("--no-stream"), Map.of());
    }

    /**
     * --via kubectl records into a perf.data file in the pod. There is no cluster here: a <b>stub</b>
     * kubectl ({@link RecordCommandTest#STUB_KUBECTL}) runs the command after {@code --} locally, so
     * perf (which the stub becomes) is among flame's descendants and is killed as in a pod.
     */
    @Test
    void perfKilledMidRecordInAPodKeepsWhatItWrote() throws Exception {
        Path stub = Files.createDirectories(tmp.resolve("stub")).resolve("kubectl");
        Files.writeString(stub, RecordCommandTest.STUB_KUBECTL);
        Files.setPosixFilePermissions(stub, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        killPerfMidRecord("--via kubectl", List.of("--via", "kubectl", "--pod", "debug-profiler"),
                Map.of("PATH", stub.getParent() + ":" + System.getenv("PATH"),
                        "STUB_KUBECTL_LOG", tmp.resolve("kubectl.log").toString()));
        assertThat(Files.readString(tmp.resolve("kubectl.log"))).contains("-- perf record ").contains(" -o /")
                .doesNotContain("-- perf script");
    }

    private void killPerfMidRecord(String how, List<String> args, Map<String, String> env) throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(Files.isExecutable(Path.of("/bin/dash")), "/bin/dash is missing");
        String name = "sfcut" + ProcessHandle.current().pid() % 100000;
        Path exe = tmp.resolve(name);
        Files.copy(Path.of("/bin/dash"), exe);
        exe.toFile().setExecutable(true);
        Process busy = new ProcessBuilder(exe.toString(), "-c", "while :; do :; done").start();
        processes.track(busy);
        Path out = tmp.resolve("out");
        long t0 = System.nanoTime();
        List<String> argv = new java.util.ArrayList<>(List.of("record", "--pid", Long.toString(busy.pid()),
                "--duration", "30s", "--output-dir", out.toString()));
        argv.addAll(args);
        Process flame = processes.flame(tmp, List.of(), env, argv.toArray(String[]::new));

        ProcessHandle perf = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (perf == null && System.nanoTime() < until && flame.isAlive()) {
            perf = perfRecordSampling(flame).orElse(null);
            Thread.sleep(50);
        }
        assertThat(perf).as("perf record sampling; flame: " + Files.readString(tmp.resolve("stderr"))).isNotNull();
        Thread.sleep(3000);
        assertThat(perf.destroyForcibly()).as("SIGKILL sent to perf record " + perf.pid()).isTrue();

        assertThat(flame.waitFor(60, TimeUnit.SECONDS)).as("flame ended").isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String err = Files.readString(tmp.resolve("stderr"));
        assertThat(flame.exitValue()).as(err).isEqualTo(ExitCodes.BAD_INPUT);
        // warnings aside (a copy of dash is no Go binary), one line
        List<String> lines = err.lines().filter(l -> !l.startsWith("flame: warning: ")).toList();
        assertThat(lines).as(err).hasSize(1);
        assertThat(lines.get(0)).startsWith("flame: perf record died by signal 9 (SIGKILL) after ")
                .contains(" of 30.0s: the recording was cut; recorded what perf had written, PID " + busy.pid()
                        + " (" + name + ") for ")
                .contains("wrote " + out.resolve(name + ".folded")).contains(out.resolve("flame.svg").toString())
                .doesNotContain("\tat ");
        assertThat(ms).as("ended soon after the kill, not at the 30 s duration").isLessThan(25_000);

        FoldedProfile p;
        try (InputStream in = Files.newInputStream(out.resolve(name + ".folded"))) {
            p = FoldedProfile.read(in, name + ".folded");
        }
        // some 3 s of a busy process at 99 Hz (fewer on a loaded machine): none when perf kept them
        // in its ring buffer, written only when it fills or at perf's end
        assertThat(p.total()).as("samples written before the kill").isPositive();
        assertThat(p.asMap().keySet()).allMatch(s -> s.startsWith(name + ";") || s.equals(name));
        String svg = Files.readString(out.resolve("flame.svg"));
        assertThat(svg).contains("cut: perf died by signal 9").endsWith("</svg>\n");
        assertThat(flame.descendants().filter(ProcessHandle::isAlive)).as("nothing of flame left running").isEmpty();
        System.out.println("perf SIGKILLed after 3 s (" + how + "): " + p.total() + " samples kept; " + err.strip());
    }
}
