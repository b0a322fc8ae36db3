package io.github.stackfold.flamegraph.perfdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the weights of a perf.data profile are ({@link ProfileMeta}): the lab's arm64 recording is 157
 * samples whose periods sum to 373,058,756 cycles (from its own attr, event cycles:P), not 373 million
 * samples; a cpu-clock recording made here by the real perf has as many samples as
 * {@code perf script} prints, CPU nanoseconds equal to the sum of the periods it prints and the
 * duration from its first sample to its last.
 */
class PerfDataMetaTest {
    @TempDir
    Path tmp;

    @Test
    void theArm64RecordingIs157SamplesOfCycles() throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        FoldedProfile p = PerfDataCollapser.builder().build().collapse(data).profile();
        ProfileMeta m = p.meta();
        assertEquals(157, m.samples());
        assertEquals(373_058_756L, p.total());
        assertEquals(ProfileMeta.Weight.EVENTS, m.weight());
        assertEquals("cycles", m.eventUnit(), m.event());
        assertTrue(m.durationNanos() > 0, "duration " + m.durationNanos());
        assertTrue(!m.hasCpu(), "cycles are no CPU time");
        assertTrue(m.describe(p.total()).startsWith("157 samples, 373,058,756 cycles in "), m.describe(p.total()));
    }

    @Test
    void aCpuClockRecordingCountsWhatPerfScriptPrints() throws Exception {
        PerfRuns.requirePerf();
        Path data = tmp.resolve("busy.data");
        PerfDataVersusPerfTest.exec(List.of("perf", "record", "-q", "-e", "cpu-clock", "-g", "-o", data.toString(),
                "--", "sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"), tmp.resolve("rec.log"));
        Path text = tmp.resolve("busy.txt");
        PerfDataVersusPerfTest.exec(List.of("perf", "script", "-i", data.toString(), "--ns", "-F", "time,period"), text);
        long samples = 0;
        long periods = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        for (String line : Files.readAllLines(text, StandardCharsets.ISO_8859_1)) {
            String[] f = line.trim().split("[:\\s]+");
            if (f.length < 2) {
                continue;
            }
            long t = Math.round(Double.parseDouble(f[0]) * 1e9);
            samples++;
            periods += Long.parseLong(f[1]);
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
        assertTrue(samples > 50, "perf script printed " + samples + " samples");

        FoldedProfile p = PerfDataCollapser.builder().build().collapse(data).profile();
        ProfileMeta m = p.meta();
        assertEquals(samples, m.samples());
        assertEquals(ProfileMeta.Weight.CPU_NANOSECONDS, m.weight());
        assertEquals("cpu-clock", m.event());
        assertEquals(periods, m.cpuNanos());
        assertEquals(periods, p.total());
        // perf script --ns prints seconds with 9 decimals; a double holds them to well under a microsecond
        assertEquals(last - first, m.durationNanos(), 1_000.0);
        assertTrue(m.describe(p.total()).startsWith(String.format(java.util.Locale.ROOT, "%,d samples, %s CPU in ",
                samples, ProfileMeta.cpu(periods))), m.describe(p.total()));
    }
}
