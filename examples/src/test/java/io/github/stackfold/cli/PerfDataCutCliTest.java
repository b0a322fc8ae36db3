package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.PerfRuns;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A perf.data whose perf was killed mid-record, given to {@code flame collapse} and {@code flame analyze}:
 * what it holds is folded, and a warning says the recording was cut. The file is a real recording
 * ({@code perf record -e cpu-clock -g}) cut as a SIGKILL leaves one: its data size (u64 at byte 48)
 * still 0, the file ending inside a record.
 */
class PerfDataCutCliTest {
    @TempDir
    Path tmp;

    @Test
    void aCutPerfDataIsFoldedWithAWarningThatTheRecordingWasCut() throws Exception {
        PerfRuns.requirePerf();
        Path whole = PerfRuns.recordData(PerfRuns.busyLoop(300_000), tmp, "whole");
        byte[] b = Files.readAllBytes(whole);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long dataOff = bb.getLong(40);
        long dataEnd = dataOff + bb.getLong(48);
        byte[] cut = Arrays.copyOf(b, (int) (dataOff + (dataEnd - dataOff) / 2));
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putLong(48, 0);
        Path data = tmp.resolve("killed.data");
        Files.write(data, cut);

        SvgChecks.Run r = SvgChecks.flame("collapse", data.toString());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.err).startsWith("flame: warning: " + data + ": the recording was cut: perf.data has no end header;"
                + " read ").contains(" samples up to byte ");
        FoldedProfile f = FoldedProfile.read(new ByteArrayInputStream(r.out), "stdout");
        assertThat(f.total()).isPositive();
        // the shell, or perf's child before its exec (perf-exec), which a loaded machine can give half the data
        assertThat(f.asMap().keySet()).allMatch(s -> s.startsWith("sh;") || s.startsWith("perf-exec;"));

        SvgChecks.Run a = SvgChecks.flame("analyze", data.toString());
        assertThat(a.code).as(a.err).isZero();
        assertThat(a.err).contains("flame: warning: " + data + ": the recording was cut: perf.data has no end header;");
    }
}
