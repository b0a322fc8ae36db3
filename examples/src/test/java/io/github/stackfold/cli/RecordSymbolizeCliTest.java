package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame record --process etcd} on Debian's stripped etcd under a bounded etcdctl load: the
 * recorder names the Go frames by default (perf itself leaves them {@code [unknown]}, as the kept
 * perf script text shows), and {@code --no-symbolize} leaves them as perf printed them.
 */
class RecordSymbolizeCliTest {
    private static EtcdServer etcd;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void startEtcd() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(!otherEtcdRunning(), "another etcd runs on this machine: --process etcd would be ambiguous");
        etcd = EtcdServer.start();
        etcd.load(2, 5000, 90);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void recordNamesAlmostEveryFrameOfStrippedEtcdByDefault(@TempDir Path dir) throws Exception {
        Run r = flame("record", "--process", "etcd", "--duration", "3s", "--frequency", "999", "--keep", "--output-dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("warning");
        Counts c = counts(dir);
        System.err.printf("flame record --process etcd: %d of %d [unknown] frames in /usr/bin/etcd named (%.2f %%)%n",
                c.unknownInText - c.placeholders, c.unknownInText, c.namedShare());
        assertThat(c.unknownInText).as("frames perf left [unknown] in /usr/bin/etcd").isGreaterThan(200);
        assertThat(c.namedShare()).isGreaterThanOrEqualTo(99.0);
    }

    @Test
    void noSymbolizeLeavesTheFramesAsPerfPrintedThem(@TempDir Path dir) throws Exception {
        Run r = flame("record", "--process", "etcd", "--duration", "2s", "--frequency", "999", "--keep", "--no-symbolize",
                "--output-dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // the hint fits flame record: no --binary here, and no 'record with flame record'
        assertThat(r.err().lines().filter(l -> l.startsWith("flame: hint:"))).singleElement().asString()
                .contains("unnamed [etcd] frames").contains("record without --no-symbolize")
                .contains("'flame collapse --binary PATH/etcd' on the perf.data that --keep keeps")
                .doesNotContain("'flame record'").doesNotContain("on this command");
        Counts c = counts(dir);
        assertThat(c.unknownInText).isGreaterThan(100);
        assertThat((double) c.placeholders).isCloseTo(c.unknownInText, org.assertj.core.data.Percentage.withPercentage(2));
    }

    record Counts(long unknownInText, long placeholders) {
        double namedShare() {
            return 100.0 * (unknownInText - placeholders) / unknownInText;
        }
    }

    /**
     * [unknown] frames of /usr/bin/etcd in the kept perf text, and [etcd] frames left in the folded
     * stacks (in samples).
     */
    private static Counts counts(Path dir) throws IOException {
        Path text = only(dir, ".perf.txt");
        Path folded = only(dir, ".folded");
        long unknown = PerfRuns.frames(text).stream()
                .filter(f -> f.module().equals(EtcdServer.ETCD.toString()) && f.unknown()).count();
        FoldedProfile p;
        try (InputStream in = Files.newInputStream(folded)) {
            p = FoldedProfile.read(in, folded.toString());
        }
        double placeholders = 0;
        for (int i = 0; i < p.size(); i++) {
            for (String f : FoldedProfile.frames(p.stack(i))) {
                placeholders += f.equals("[etcd]") ? p.count(i) : 0;
            }
        }
        // the recorder weighs stacks by the event's period (ns of cpu-clock): back to samples
        long samples = Files.readAllLines(text, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0))).count();
        return new Counts(unknown, Math.round(placeholders * samples / p.total()));
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no *" + suffix + " in " + dir));
        }
    }

    private static boolean otherEtcdRunning() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return Files.readString(p.resolve("comm")).strip().equals("etcd");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    static Run flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(new byte[0]), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
