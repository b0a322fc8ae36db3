package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.PerfRuns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame record --keep} of a process that takes no CPU, with real perf ({@code -e cpu-clock}, as root)
 * and a real idle {@code sleep}: the error says no samples were recorded, no empty perf script text is
 * left behind to look like a result, and what --keep did keep is named as holding no samples.
 */
class RecordNoSamplesTest {
    @TempDir
    Path tmp;

    @Test
    void keepOfAnIdleProcessLeavesNoEmptyFileAndNamesWhatItKept() throws Exception {
        PerfRuns.requirePerf();
        Process idle = new ProcessBuilder("sleep", "60").start();
        try {
            for (boolean stream : new boolean[] {true, false}) {
                Path out = tmp.resolve(stream ? "stream" : "no-stream");
                List<String> args = new java.util.ArrayList<>(List.of("record", "--pid", Long.toString(idle.pid()),
                        "--event", "cpu-clock", "--duration", "1s", "--keep", "--output-dir", out.toString()));
                if (!stream) {
                    args.add("--no-stream");
                }
                SvgChecks.Run r = SvgChecks.flame(args.toArray(new String[0]));
                String label = (stream ? "streaming" : "--no-stream") + ": " + r.err;
                assertThat(r.code).as(label).isEqualTo(ExitCodes.BAD_INPUT); // 2: no samples
                assertThat(r.err).as(label).startsWith("flame: no samples recorded from PID " + idle.pid() + " (sleep)")
                        .contains("--keep wrote no perf script text (perf script printed nothing)");
                assertThat(r.err.strip().lines()).as(label).hasSize(1);
                List<Path> left;
                try (var files = Files.list(out)) {
                    left = files.toList();
                }
                for (Path f : left) {
                    assertThat(Files.size(f)).as(label + ": " + f + " is empty").isPositive();
                    assertThat(r.err).as(label).contains(f.toString() + ", which holds no samples");
                }
                assertThat(left).as(label).noneMatch(f -> f.getFileName().toString().endsWith(".perf.txt"));
                if (stream) {
                    // perf record's own output, copied as it streamed: kept, and said to hold no samples
                    assertThat(left).as(label).containsExactly(out.resolve("sleep.perf.data"));
                }
            }
        } finally {
            idle.destroy();
            assertThat(idle.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
