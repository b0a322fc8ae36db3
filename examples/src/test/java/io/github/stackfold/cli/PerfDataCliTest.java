package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame collapse|flamegraph|analyze perf.data}: the lab's arm64 recording (which perf 6.1 cannot
 * read) and a recording made here by the real perf, whose folded stacks equal
 * {@code perf script | flame collapse} with the same flags.
 */
class PerfDataCliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, err);
        return new Run(code, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    private static Path arm64() {
        Path p = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(p), "no " + p + " (the shared lab recordings)");
        return p;
    }

    @Test
    void everyCommandReadsTheArm64Recording() {
        Path data = arm64();
        Run c = flame("collapse", "--kernel", data.toString());
        assertThat(c.code()).as(c.err()).isZero();
        long total = c.out().lines().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(total).isEqualTo(373_058_756L);
        assertThat(c.out()).contains("kube-apiserver;[kube-apiserver];").contains("[[kernel.kallsyms]]_[k]");

        Run svg = flame("flamegraph", data.toString());
        assertThat(svg.code()).as(svg.err()).isZero();
        assertThat(svg.out()).startsWith("<?xml").contains("kube-apiserver");

        Run a = flame("analyze", data.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("kube-apiserver");
    }

    @Test
    void aBinaryThatIsNotTheRecordedOneIsRefusedWithBothBuildIds() {
        Path data = arm64();
        Path other = Path.of("/usr/bin/etcd");
        Shared.requireThat(Files.isRegularFile(other), "no /usr/bin/etcd");
        Path dir = tmp.resolve("bin");
        Run c;
        try {
            Files.createDirectories(dir);
            Files.createSymbolicLink(dir.resolve("kube-apiserver"), other);
            c = flame("collapse", "--binary", dir.resolve("kube-apiserver").toString(), data.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("build-id mismatch").contains("872aa86e7c565b491c7d65f70db2172ba9e8e32a");
        assertThat(c.out()).doesNotContain("etcd").contains("[kube-apiserver]");
    }

    @Test
    void aRecordingMadeHereFoldsAsPerfScriptDoes() throws Exception {
        PerfRuns.requirePerf();
        Path data = PerfRuns.recordData(PerfRuns.busyLoop(200_000), tmp, "sleep");
        Path text = tmp.resolve("sleep.txt");
        Process s = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F",
                "comm,pid,tid,time,period,event,ip,sym,dso").redirectOutput(text.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(s.waitFor(120, TimeUnit.SECONDS)).isTrue();
        for (List<String> flags : List.of(List.<String>of(), List.of("--pid"), List.of("--kernel"))) {
            String[] a = args(flags, data);
            String[] b = args(flags, text);
            Run fromData = flame(a);
            Run fromText = flame(b);
            assertThat(fromData.code()).as(fromData.err()).isZero();
            assertThat(fromData.out()).isEqualTo(fromText.out()).isNotEmpty();
        }
    }

    private static String[] args(List<String> flags, Path file) {
        String[] a = new String[flags.size() + 2];
        a[0] = "collapse";
        for (int i = 0; i < flags.size(); i++) {
            a[i + 1] = flags.get(i);
        }
        a[a.length - 1] = file.toString();
        return a;
    }
}
