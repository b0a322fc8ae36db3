package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame record --via kubectl} on Debian's stripped etcd under load, through the <b>stub</b>
 * kubectl of {@link RecordCommandTest} (it runs the exec'd command here, as the debug pod would): the
 * frames are named from the parts of {@code /proc/PID/exe} fetched with {@code dd} through kubectl exec,
 * exactly as the local route names the same perf script text from the binary itself; the bytes
 * fetched (counted from the stub's argument log) are far below the binary's size; a second run reads
 * the build-id only. Without a {@code dd} in the pod, {@code tail | head} fetch the same parts.
 */
class RecordKubectlNamingTest {
    private static final Pattern NAMED = Pattern.compile(
            "flame: named ([\\d,]+) of ([\\d,]+) frames of /usr/bin/etcd through kubectl: fetched ([\\d,]+) KB of ([\\d.]+) MB"
                    + " \\((?:its build-id; the rest was )?cached by build-id ([0-9a-f]{40})\\)\n");
    private static final Pattern DD = Pattern.compile(" -- dd if=/proc/(\\d+)/exe bs=65536 skip=(\\d+) count=(\\d+)"
            + " iflag=skip_bytes,count_bytes status=none$");
    private static EtcdServer etcd;
    private static Path bin;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        PerfRuns.requirePerf();
        Shared.requireThat(Files.isRegularFile(EtcdServer.ETCD), "/usr/bin/etcd is not installed (apt-get install etcd-server)");
        bin = Files.createTempDirectory("stackfold-kubenames");
        Path stub = Files.createDirectories(bin.resolve("stub")).resolve("kubectl");
        Files.writeString(stub, RecordCommandTest.STUB_KUBECTL);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        // a pod without dd (distroless, or busybox without byte offsets): dd fails as busybox's does
        Path noDd = Files.createDirectories(bin.resolve("nodd")).resolve("dd");
        Files.writeString(noDd, "#!/bin/sh\necho \"dd: invalid number 'skip_bytes,count_bytes'\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(noDd, PosixFilePermissions.fromString("rwxr-xr-x"));
        // nor tail: the binary cannot be read at all
        Path noTail = Files.createDirectories(bin.resolve("notail")).resolve("tail");
        Files.writeString(noTail, "#!/bin/sh\necho 'sh: tail: not found' >&2\nexit 127\n");
        Files.setPosixFilePermissions(noTail, PosixFilePermissions.fromString("rwxr-xr-x"));
        etcd = EtcdServer.start();
        etcd.load(2, 20000, 120);
    }

    @AfterAll
    static void stop() throws IOException {
        if (etcd != null) {
            etcd.close();
        }
        if (bin != null) {
            try (var s = Files.walk(bin)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    record Run(int code, String err, List<String> calls) {
    }

    /** {@code flame record --via kubectl} on etcd as its own JVM, with the stub first on PATH. */
    private Run record(Path out, Path cache, String path, String... more) throws Exception {
        Path log = tmp.resolve("kubectl-" + out.getFileName() + ".log");
        Path err = tmp.resolve("stderr-" + out.getFileName());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FlameCli.class.getName(),
                "record", "--via", "kubectl", "--pod", "debug-profiler", "--pid", Long.toString(etcd.pid()),
                "--duration", "3s", "--frequency", "499", "--keep", "--output-dir", out.toString()));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", path);
        env.put("STUB_KUBECTL_LOG", log.toString());
        env.put("XDG_CACHE_HOME", cache.toString());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("flame ended").isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(err), Files.readAllLines(log));
    }

    private static String stubPath() {
        return bin.resolve("stub") + ":" + System.getenv("PATH");
    }

    /** Bytes asked for with dd through the stub, by the calls' own arguments. */
    private static long ddBytes(List<String> calls) {
        long sum = 0;
        for (String c : calls) {
            Matcher m = DD.matcher(c);
            if (m.find()) {
                assertThat(Long.parseLong(m.group(1))).isEqualTo(etcd.pid());
                sum += Long.parseLong(m.group(3));
            }
        }
        return sum;
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no *" + suffix + " in " + dir));
        }
    }

    private static Map<String, Long> stacks(FoldedProfile p) {
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < p.size(); i++) {
            m.merge(p.stack(i), p.count(i), Long::sum);
        }
        return m;
    }

    /** The kept perf script text folded as the local route folds it: named from /usr/bin/etcd itself. */
    private static FoldedProfile foldedLocally(Path text) throws IOException {
        return foldedLocally(text, false);
    }

    private static FoldedProfile foldedLocally(Path text, boolean inline) throws IOException {
        GoSymbolizer local = GoSymbolizer.builder()
                .locator(BinaryLocator.binary(EtcdServer.ETCD)).inline(inline).build();
        CollapseOptions o = CollapseOptions.builder().threads(1).countSamples(true).symbolizer(local).build();
        try (InputStream in = Files.newInputStream(text)) {
            return PerfCollapser.create(o).collapse(in, text.toString());
        }
    }

    private static FoldedProfile read(Path folded) throws IOException {
        try (InputStream in = Files.newInputStream(folded)) {
            return FoldedProfile.read(in, folded.toString());
        }
    }

    @Test
    void framesAreNamedThroughKubectlAsLocallyAndASecondRunFetchesTheBuildIdOnly() throws Exception {
        Path cache = tmp.resolve("cache");
        Run first = record(tmp.resolve("first"), cache, stubPath());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.err()).doesNotContain("warning");
        Matcher m = NAMED.matcher(first.err());
        assertThat(m.find()).as(first.err()).isTrue();
        long named = Long.parseLong(m.group(1).replace(",", ""));
        long frames = Long.parseLong(m.group(2).replace(",", ""));
        long kb = Long.parseLong(m.group(3).replace(",", ""));
        long size = Files.size(EtcdServer.ETCD);
        long fetched = ddBytes(first.calls());
        System.err.printf("flame record --via kubectl on etcd: named %d of %d frames; dd fetched %d of %d bytes (%.1f %%) in %d calls%n",
                named, frames, fetched, size, 100.0 * fetched / size,
                first.calls().stream().filter(c -> DD.matcher(c).find()).count());
        assertThat(frames).isGreaterThan(100);
        assertThat(named).isGreaterThanOrEqualTo(frames * 99 / 100);
        assertThat(kb).isEqualTo((fetched + 1023) / 1024);
        assertThat(fetched).isLessThan(size / 4).isGreaterThan(1 << 20);
        assertThat(Files.isRegularFile(cache.resolve("stackfold/buildid").resolve(m.group(5)).resolve("elf"))).isTrue();

        // the same perf script text, named the local way: identical stacks, so every frame the local
        // route names is named the same way through kubectl
        Path out = tmp.resolve("first");
        FoldedProfile viaKubectl = read(only(out, ".folded"));
        FoldedProfile viaLocal = foldedLocally(only(out, ".perf.txt"));
        assertThat(stacks(viaKubectl)).isEqualTo(stacks(viaLocal));
        assertThat(stacks(viaKubectl).keySet()).noneMatch(s -> s.contains(";[etcd]"));

        Run second = record(tmp.resolve("second"), cache, stubPath());
        assertThat(second.code()).as(second.err()).isZero();
        Matcher m2 = NAMED.matcher(second.err());
        assertThat(m2.find()).as(second.err()).isTrue();
        System.err.print("first run: " + m.group() + "second run: " + m2.group());
        assertThat(second.err()).contains("fetched 4 KB of " + m.group(4) + " MB (its build-id; the rest was cached by build-id " + m.group(5) + ")");
        List<String> dd = second.calls().stream().filter(c -> DD.matcher(c).find()).toList();
        assertThat(dd).hasSize(1);
        assertThat(dd.get(0)).endsWith(" skip=0 count=4096 iflag=skip_bytes,count_bytes status=none");
        assertThat(second.calls()).noneMatch(c -> c.contains("tail -c"));
        assertThat(stacks(read(only(tmp.resolve("second"), ".folded"))))
                .isEqualTo(stacks(foldedLocally(only(tmp.resolve("second"), ".perf.txt"))));
    }

    @Test
    void aPodWithoutDdGetsTheSamePartsThroughTailAndHead() throws Exception {
        Path cache = tmp.resolve("cache-nodd");
        Run r = record(tmp.resolve("nodd"), cache, bin.resolve("stub") + ":" + bin.resolve("nodd") + ":" + System.getenv("PATH"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("warning");
        Matcher m = NAMED.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        List<String> tails = r.calls().stream().filter(c -> c.contains(" -- sh -c tail -c +\"$1\" -- \"$2\" | head -c \"$3\" sh ")).toList();
        assertThat(tails).hasSizeGreaterThanOrEqualTo(3);
        assertThat(r.calls().stream().filter(c -> c.contains(" -- dd if=")).count()).as("dd tried once").isEqualTo(1);
        Path out = tmp.resolve("nodd");
        assertThat(stacks(read(only(out, ".folded")))).isEqualTo(stacks(foldedLocally(only(out, ".perf.txt"))));
    }

    @Test
    void withInlineGoTheInlinedCallsAreNamedAsLocally() throws Exception {
        Path cache = tmp.resolve("cache-inline");
        Run r = record(tmp.resolve("inline"), cache, stubPath(), "--inline-go");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("warning");
        Matcher m = NAMED.matcher(r.err());
        assertThat(m.find()).as(r.err()).isTrue();
        long fetched = ddBytes(r.calls());
        long size = Files.size(EtcdServer.ETCD);
        System.err.printf("--inline-go through kubectl: dd fetched %d of %d bytes (%.1f %%)%n", fetched, size, 100.0 * fetched / size);
        assertThat(fetched).isLessThan(size * 6 / 10);
        assertThat(Files.isRegularFile(cache.resolve("stackfold/buildid").resolve(m.group(5)).resolve("elf-inline"))).isTrue();
        Path out = tmp.resolve("inline");
        Map<String, Long> viaKubectl = stacks(read(only(out, ".folded")));
        assertThat(viaKubectl).isEqualTo(stacks(foldedLocally(only(out, ".perf.txt"), true)));
        assertThat(viaKubectl.keySet()).anyMatch(s -> s.contains("_[i]"));
    }

    @Test
    void aBinaryThatCannotBeReadIsOneWarningAndTheRecordingIsWrittenUnnamed() throws Exception {
        Path cache = tmp.resolve("cache-none");
        Run r = record(tmp.resolve("none"), cache, bin.resolve("stub") + ":" + bin.resolve("nodd") + ":"
                + bin.resolve("notail") + ":" + System.getenv("PATH"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).containsOnlyOnce("flame: warning: cannot name frames of /usr/bin/etcd through kubectl pod"
                + " debug-profiler (/proc/" + etcd.pid() + "/exe): cannot read 4096 bytes at offset 0 of /proc/" + etcd.pid()
                + "/exe through kubectl pod debug-profiler with dd or tail|head: sh: tail: not found;"
                + " its frames stay [unknown]\n");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("flame: named");
        assertThat(stacks(read(only(tmp.resolve("none"), ".folded"))).keySet()).anyMatch(s -> s.contains(";[etcd]"));
        try (var s = Files.walk(cache.getParent())) {
            assertThat(s.filter(p -> p.toString().contains("buildid")).toList()).isEmpty();
        }
    }
}
