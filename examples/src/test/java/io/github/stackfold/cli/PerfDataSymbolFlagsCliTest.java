package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * perf.data through the commands: its units ("157 samples, 373,058,756 cycles", not 373 million
 * samples) and the symbol flags ({@link SymbolFlags}: {@code --binary}, {@code --symfs},
 * {@code --kallsyms}) on every command that reads input. The etcd case is the lab's: a recording of a
 * stripped Go server whose binary is not where it ran (copied out of a container), named only when
 * {@code --binary} gives it; the verdict's remedy is run as it is printed.
 */
class PerfDataSymbolFlagsCliTest {
    @TempDir
    Path tmp;

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    @Test
    void theArm64RecordingSaysSamplesAndCycles() {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        CliRun a = flame("analyze", data.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("\n157 samples, 373,058,756 cycles in ").doesNotContain("weights in samples");
        CliRun j = flame("analyze", "--json", data.toString());
        assertThat(j.out()).containsPattern("\"samples\"\\s*:\\s*157,");
        CliRun svg = flame("flamegraph", data.toString());
        assertThat(svg.code()).as(svg.err()).isZero();
        assertThat(svg.out()).contains("157 samples, 373,058,756 cycles in ").contains("all (373,058,756 cycles, 100%)");
    }

    @Test
    void aBinaryOfAnotherNameIsNotSilentlyIgnoredTheWarningSaysWhichNameItWants() throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        Path other = Files.writeString(tmp.resolve("etcd"), "not the apiserver");
        CliRun a = flame("analyze", "--binary", other.toString(), data.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.err()).contains("flame: warning: cannot name frames of /usr/local/bin/kube-apiserver: binary not found"
                + " (build-id 872aa86e7c565b491c7d65f70db2172ba9e8e32a); --binary " + other
                + " names only modules called etcd: give the kube-apiserver of the same release\n");
        // a --binary of the right name does not get the note (its build-id decides)
        CliRun b = flame("analyze", data.toString());
        assertThat(b.err()).doesNotContain("names only modules called");
    }

    @Test
    void everyInputCommandTakesTheSymbolFlags() {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        Path missing = tmp.resolve("no-such-binary");
        for (List<String> cmd : List.of(List.of("collapse"), List.of("flamegraph"), List.of("analyze"),
                List.of("html"), List.of("export", "--format", "folded"), List.of("diff", data.toString()),
                List.of("compare", "--output-dir", tmp.toString(), data.toString()))) {
            List<String> args = new ArrayList<>(cmd);
            args.addAll(List.of("--binary", missing.toString(), data.toString()));
            CliRun r = flame(args.toArray(String[]::new));
            // the flag is known (not exit 64) and mapped: the missing file is named
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(ExitCodes.IO_ERROR);
            assertThat(r.err()).contains("--binary " + missing + ": no such file");
            args = new ArrayList<>(cmd);
            args.addAll(List.of("--kallsyms", missing.toString(), "--symfs", tmp.toString(), data.toString()));
            r = flame(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(ExitCodes.IO_ERROR);
            assertThat(r.err()).contains("--kallsyms " + missing + ": no such file");
        }
    }

    @Test
    void aStrippedEtcdWhoseBinaryIsElsewhereIsNamedWithBinary() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(Files.isExecutable(LiveEtcd.ETCD), "no " + LiveEtcd.ETCD + " (apt-get install etcd-server)");
        // etcd runs from a directory that is gone when the recording is read, as in a container
        Path ran = tmp.resolve("container/usr/local/bin/etcd");
        Files.createDirectories(ran.getParent());
        Files.copy(LiveEtcd.ETCD, ran);
        Path data = tmp.resolve("etcd.perf.data");
        try (LiveEtcd etcd = LiveEtcd.start(ran, tmp.resolve("etcd-data"), List.of(), HttpClient.newHttpClient())) {
            etcd.startLoad(2, Duration.ofSeconds(20));
            // -N: no copy into perf's build-id cache, where the reader would find the binary by build-id
            Process p = new ProcessBuilder("perf", "record", "-q", "-N", "-e", "cpu-clock", "-F", "999", "-g",
                    "-p", Long.toString(etcd.pid()), "-o", data.toString(), "--", "sleep", "3")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("rec.log").toFile()).start();
            try {
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).as(Files.readString(tmp.resolve("rec.log"))).isZero();
        }
        Path later = tmp.resolve("downloaded/etcd");
        Files.createDirectories(later.getParent());
        Files.move(ran, later);

        String home = System.getProperty("user.home");
        Path emptyHome = Files.createDirectories(tmp.resolve("home"));
        System.setProperty("user.home", emptyHome.toString()); // no build-id cache of this machine's etcd
        try {
            CliRun unnamed = flame("analyze", data.toString());
            assertThat(unnamed.code()).as(unnamed.err()).isZero();
            assertThat(unnamed.out()).contains("cannot tell: ").contains("unnamed etcd frames");
            Matcher m = Pattern.compile("'flame (analyze --binary \\./etcd perf\\.data)'").matcher(unnamed.out());
            assertThat(m.find()).as(unnamed.out()).isTrue();

            // the remedy as printed, with this file and this binary put in
            List<String> remedy = new ArrayList<>();
            for (String w : m.group(1).split(" ")) {
                remedy.add(w.equals("./etcd") ? later.toString() : w.equals("perf.data") ? data.toString() : w);
            }
            CliRun named = flame(remedy.toArray(String[]::new));
            Files.writeString(tmp.resolve("named.txt"), named.out());
            assertThat(named.code()).as(named.err()).isZero();
            assertThat(named.out()).contains("runtime.").doesNotContain("unnamed etcd frames");
            // what stays unnamed is not etcd's (the unnamed run said "etcd NN%" there)
            Matcher share = Pattern.compile("unnamed frames: [0-9.]+% of samples(.*)").matcher(named.out());
            assertThat(share.find()).as(named.out()).isTrue();
            assertThat(share.group(1)).as(named.out()).doesNotContain("etcd");
            assertThat(unnamed.out()).containsPattern("unnamed frames: [0-9.]+% of samples \\(etcd [0-9.]+%");

            CliRun folded = flame("collapse", "--binary", later.toString(), data.toString());
            assertThat(folded.code()).as(folded.err()).isZero();
            assertThat(folded.out()).contains("etcd;runtime.").doesNotContain("[etcd]");
            CliRun plain = flame("collapse", data.toString());
            assertThat(plain.out()).contains("[etcd]");
        } finally {
            System.setProperty("user.home", home);
        }
    }
}
