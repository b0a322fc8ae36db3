package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted {@code flame demo} on etcd, interrupted as a terminal does it: SIGINT to the whole
 * foreground process group (flame runs as the leader of a group of its own here). The etcd the demo
 * started must not die of that signal before its Go frames are named (they are named through
 * {@code /proc/PID/exe}); it used to, and the demo wrote every frame as {@code [etcd]}.
 */
class DemoInterruptTest {
    @TempDir
    Path tmp;

    @Test
    void ctrlCOnTheDemoKeepsItsEtcdFramesNamed() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(Files.isExecutable(LiveEtcd.ETCD), "no " + LiveEtcd.ETCD + " (apt-get install etcd-server)");
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/setsid")), "no setsid (util-linux)");
        Path out = tmp.resolve("results");
        Path err = tmp.resolve("stderr");
        // setsid: flame leads a process group of its own, as a shell's foreground job does
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setsid", "env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FlameCli.class.getName(),
                "demo", "--target", "etcd", "--duration", "60s", "--warmup", "1s", "--output-dir", out.toString()));
        Process flame = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(err.toFile()).start();
        long etcdPid = -1;
        boolean etcdLeft;
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(err).contains("flame demo: recording ") && System.nanoTime() < until) {
                assertThat(flame.isAlive()).as(Files.readString(err)).isTrue();
                Thread.sleep(100);
            }
            Matcher m = Pattern.compile("etcd .* PID (\\d+)").matcher(Files.readString(err));
            assertThat(m.find()).as(Files.readString(err)).isTrue();
            etcdPid = Long.parseLong(m.group(1));
            Thread.sleep(5000); // a few hundred samples of etcd under load
            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + flame.pid()).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(flame.waitFor(120, TimeUnit.SECONDS)).as("flame ended").isTrue();
            String log = Files.readString(err);
            assertThat(flame.exitValue()).as(log).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(log).doesNotContain("the process exited during the recording");

            Path folded;
            try (Stream<Path> files = Files.list(out)) {
                folded = files.filter(f -> f.toString().endsWith(".folded")).findFirst().orElseThrow();
            }
            Map<String, Long> stacks = FoldedProfile.read(Files.newInputStream(folded), folded.toString()).asMap();
            long all = 0;
            long unnamed = 0;
            for (Map.Entry<String, Long> e : stacks.entrySet()) {
                all += e.getValue();
                if (e.getKey().contains(";[etcd]")) {
                    unnamed += e.getValue();
                }
            }
            assertThat(all).as(log).isGreaterThan(20);
            assertThat(stacks.keySet()).as(log).anyMatch(s -> s.startsWith("etcd;") && s.contains(";runtime."));
            // what an interrupted flame record names: (nearly) every etcd frame; before, all of them were [etcd]
            assertThat((double) unnamed / all).as(folded + ": " + stacks.keySet()).isLessThan(0.05);
        } finally {
            if (flame.isAlive()) {
                new ProcessBuilder("kill", "-KILL", "--", "-" + flame.pid()).start().waitFor(10, TimeUnit.SECONDS);
                flame.waitFor(30, TimeUnit.SECONDS);
            }
            etcdLeft = endLeftover(etcdPid);
        }
        // the demo ends the etcd it started (it no longer dies of the signal, so the demo must)
        assertThat(etcdLeft).as("etcd PID " + etcdPid + " still ran after the demo").isFalse();
    }

    /** Whether the process still runs 30 s after the demo ended; if so it is killed. */
    private static boolean endLeftover(long pid) throws Exception {
        ProcessHandle h = pid > 0 ? ProcessHandle.of(pid).orElse(null) : null;
        if (h == null) {
            return false;
        }
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            h.destroyForcibly();
            return true;
        }
    }
}
