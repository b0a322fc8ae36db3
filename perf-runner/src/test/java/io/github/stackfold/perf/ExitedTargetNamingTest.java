package io.github.stackfold.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.symbolize.BinaryLocator;
import io.github.stackfold.flamegraph.symbolize.GoSymbolizer;
import io.github.stackfold.testing.GoPrograms;
import io.github.stackfold.testing.GoPrograms.Variant;
import io.github.stackfold.testing.PerfRuns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A stripped Go program (the test's burn, built with -ldflags=-s -w) that exits in the middle of a real
 * recording (perf record -e cpu-clock -g -p PID): its /proc/PID/exe is gone by the time perf script's
 * frames are named, and the frames are named from the binary at the path perf recorded. Both with perf
 * script reading while perf records and after it (--no-stream), where every frame is named after the
 * exit; and with the recorder's own Go naming ({@code flame record}) and a symbolizer factory as
 * {@code flame demo} and {@code flame profile} set it.
 */
class ExitedTargetNamingTest {
    @TempDir
    Path out;

    @ParameterizedTest(name = "stream={0}, factory={1}")
    @CsvSource({"false,false", "true,false", "false,true"})
    void aTargetThatExitsDuringTheRecordingIsNamedFromItsPath(boolean stream, boolean factory) throws Exception {
        PerfRuns.requirePerf();
        Path burn = GoPrograms.build(GoPrograms.requireDefault(), Variant.STRIPPED);
        String module = burn.getFileName().toString();
        Process p = new ProcessBuilder(burn.toString(), "run", "1500").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        Recording r;
        try {
            RecordOptions.Builder o = RecordOptions.builder().pid(p.pid()).duration(Duration.ofSeconds(8)).frequency(999)
                    .stream(stream).outputDir(out);
            if (factory) {
                o.symbolizer(fp -> GoSymbolizer.builder()
                        .locator(BinaryLocator.processOrModulePath(Path.of("/proc"), fp.pid())).build());
            }
            r = PerfRecorder.create(o.build()).record(new RecordListener() {
                @Override
                public void warning(String message) {
                    warnings.add(message);
                }
            });
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("burn ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(r.targetExited()).as("the target exited during the recording").isTrue();
        assertThat(Files.exists(Path.of("/proc/" + p.pid() + "/exe"))).isFalse();

        long all = 0;
        long unnamed = 0;
        long named = 0;
        for (Map.Entry<String, Long> e : r.profile().asMap().entrySet()) {
            List<String> frames = FoldedProfile.frames(e.getKey());
            all += e.getValue();
            if (frames.contains("[" + module + "]")) {
                unnamed += e.getValue();
            }
            if (frames.stream().anyMatch(f -> f.equals("main.fib") || f.equals("main.burn") || f.equals("main.sorter"))) {
                named += e.getValue();
            }
        }
        String seen = r.profile().asMap().keySet().toString();
        assertThat(all).as(seen).isGreaterThan(100);
        assertThat((double) named / all).as("share of stacks with burn's own functions named: " + seen).isGreaterThan(0.5);
        assertThat((double) unnamed / all).as("share of stacks with an unnamed [" + module + "] frame: " + seen)
                .isLessThan(0.02);
        assertThat(warnings).noneMatch(w -> w.contains("cannot name frames of"));
    }
}
