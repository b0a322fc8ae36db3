package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.perfdata.PerfDataCollapser;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.PerfRuns;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict on a live, named recording: Debian's stripped etcd under an etcdctl load, recorded with
 * the real {@code perf record -e cpu-clock -g -p PID}, its Go frames named from {@code .gopclntab} by
 * {@link PerfDataCollapser}. Its Go stacks start with [unknown] frames past runtime.goexit and
 * runtime.mcall (10-30 % of the samples here); that is no unnamed etcd frame, and the verdict must not
 * say "cannot tell". The shares are recounted over the folded lines by the test's own counter.
 */
class NamedEtcdVerdictTest {

    @Test
    void aLiveNamedEtcdRecordingGetsNoFalseAlarm(@TempDir Path dir) throws Exception {
        PerfRuns.requirePerf();
        FoldedProfile p;
        try (EtcdServer etcd = EtcdServer.start()) {
            etcd.load(2, 1_000_000, 5);
            PerfRuns.recordPid(etcd.pid(), 4, dir, "etcd");
            p = PerfDataCollapser.builder().build().collapse(dir.resolve("etcd.data")).profile();
        }
        Path folded = dir.resolve("etcd.folded");
        List<String> lines = p.asMap().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
        Files.write(folded, lines, StandardCharsets.ISO_8859_1);
        long etcdWeight = p.asMap().entrySet().stream().filter(e -> e.getKey().startsWith("etcd;"))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(etcdWeight).as("etcd's samples").isPositive();
        assertThat(lines).as("Go frames named").anyMatch(l -> l.contains(";runtime."));
        assertThat(lines).as("no etcd frame left unnamed").noneMatch(l -> l.contains("[etcd"));

        double withJunk = UnnamedFramesTest.unnamedShare(folded);
        double expected = UnnamedFramesTest.unnamedShareSparingJunk(lines);
        System.out.printf("named etcd, %d stacks: %.1f%% of the weight in stacks with an [unknown] frame, %.1f%% unnamed%n",
                lines.size(), withJunk * 100, expected * 100);
        assertThat(expected).isLessThanOrEqualTo(Report.CANNOT_TELL);

        Report r = Analyzer.create(Analyzer.Options.of(Rules.builtIn("etcd"))).analyze(p);
        assertThat(r.unnamedShare()).isCloseTo(expected, within(1e-12));
        assertThat(r.cannotTell()).isFalse();
        assertThat(r.toText()).doesNotContain("cannot tell");
        assertThat(Analyzer.unnamedVerdict(p)).isEmpty();
    }
}
