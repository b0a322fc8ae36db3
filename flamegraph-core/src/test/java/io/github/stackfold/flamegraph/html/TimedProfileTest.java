package io.github.stackfold.flamegraph.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.collapse.CollapseOptions;
import io.github.stackfold.flamegraph.collapse.PerfCollapser;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sample times read from perf script event lines, stacks folded as the collapser folds them. */
class TimedProfileTest {
    static final String SCRIPT = String.join("\n",
            "java 12688 [002] 6544038.708352: 10309278 cpu-clock:",
            "\t    7f3a0c1e2b44 Foo::bar+0x14 (/opt/x.so)",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "",
            "java 12688 [002] 6544039.250000: 10309278 cpu-clock:",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "",
            "V8 WorkerThread 24636/25607 [000] 6544040.000001: 5 cpu-clock:",
            "\t    ffffffff8103ce3b native_safe_halt ([kernel.kallsyms])",
            "",
            "java 12688 [002] 6544040.5: 1 page-faults:",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "", "");

    static TimedProfile read(String text) throws Exception {
        return TimedProfile.readPerfScript(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "t.txt",
                CollapseOptions.defaults());
    }

    @Test
    void readsTimesWeightsAndTheCollapsersStacks() throws Exception {
        TimedProfile t = read(SCRIPT);
        assertThat(t.hasTimes()).isTrue();
        assertThat(t.event()).isEqualTo("cpu-clock");
        assertThat(t.samples()).isEqualTo(3); // the page-faults sample is another event: dropped, as the collapser does
        assertThat(t.micros(0)).isEqualTo(6544038708352L);
        assertThat(t.micros(1)).isEqualTo(6544039250000L);
        assertThat(t.micros(2)).isEqualTo(6544040000001L);
        FoldedProfile collapsed = PerfCollapser.create(CollapseOptions.defaults())
                .collapse(new ByteArrayInputStream(SCRIPT.getBytes(StandardCharsets.ISO_8859_1)), "t.txt");
        assertThat(t.profile().asMap()).isEqualTo(collapsed.asMap());
        assertThat(t.profile().asMap()).containsEntry("java;main;Foo::bar", 10309278L)
                .containsEntry("V8_WorkerThread;native_safe_halt", 5L);
        assertThat(t.sampleCounts()).containsExactly(1, 1, 1);
    }

    @Test
    void eventLinesWithoutATimeMakeTheProfileUntimed() throws Exception {
        String text = "java 19983 cycles:\n\t 7f main (/opt/x)\n\n";
        TimedProfile t = read(text);
        assertThat(t.hasTimes()).isFalse();
        assertThat(t.profile().asMap()).containsEntry("java;main", 1L).isEqualTo(PerfCollapser.create(CollapseOptions.defaults())
                .collapse(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "t.txt").asMap());
    }

    @Test
    void anExitingTaskKeepsItsTimeThoughItsCommandNameRunsUpToThePeriod() throws Exception {
        // as perf prints a task that was exiting (from the real JVM recording below): PID -1
        String exiting = ":-1    -1 [000]   296.393906:    1001001 cpu-clock:pppH: \n"
                + "\tffffffff8226ddde _raw_write_unlock_irq+0xe ([kernel.kallsyms])\n"
                + "\tffffffff81366e5e do_exit+0x62e ([kernel.kallsyms])\n\n";
        String text = "java 12688 [002] 296.000001: 1001001 cpu-clock:pppH: \n\t    7f3a0c1e2b00 main (/opt/x)\n\n" + exiting;
        TimedProfile t = read(text);
        assertThat(t.hasTimes()).isTrue();
        assertThat(t.samples()).isEqualTo(2);
        assertThat(t.micros(0)).isEqualTo(296_000_001L);
        assertThat(t.micros(1)).isEqualTo(296_393_906L);
        assertThat(t.profile().asMap()).isEqualTo(PerfCollapser.create(CollapseOptions.defaults())
                .collapse(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), "t.txt").asMap());
    }

    @Test
    void theRealJvmRecordingHasTimesForTheHeatmap() throws Exception {
        Path gz = Shared.path("bench/real-jvm-xz-kernel.perf.txt.gz");
        byte[] data;
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            data = in.readAllBytes();
        }
        // counted here: every event line (not indented, not blank) of the cpu-clock event, the first one
        long events = new String(data, StandardCharsets.ISO_8859_1).lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)) && l.contains(" cpu-clock:")).count();
        TimedProfile t = TimedProfile.readPerfScript(new ByteArrayInputStream(data), gz.toString(), CollapseOptions.defaults());
        assertThat((long) t.samples()).isEqualTo(events).isGreaterThan(30_000L);
        assertThat(t.hasTimes()).as("one exiting task (PID -1) among them left the whole recording untimed").isTrue();
    }

    @Test
    void textWithoutEventLinesIsBadInput() {
        assertThatThrownBy(() -> read("hello\nworld\n")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("t.txt").hasMessageContaining("event lines");
    }

    @Test
    void aRealPerfRecordingFoldsLikeTheCollapserWithTimesInItsSpan(@TempDir Path tmp) throws Exception {
        PerfRuns.requirePerf();
        Path text = PerfRuns.record(List.of("sh", "-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done"), tmp, "sh");
        TimedProfile t;
        try (InputStream in = Files.newInputStream(text)) {
            t = TimedProfile.readPerfScript(in, text.toString(), CollapseOptions.defaults());
        }
        FoldedProfile collapsed = PerfCollapser.create(CollapseOptions.defaults()).collapse(List.of(text));
        assertThat(t.samples()).isGreaterThan(10);
        assertThat(t.hasTimes()).isTrue();
        assertThat(t.profile().asMap()).isEqualTo(collapsed.asMap());
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < t.samples(); i++) {
            first = Math.min(first, t.micros(i));
            last = Math.max(last, t.micros(i));
        }
        assertThat(last - first).as("span of the samples in microseconds").isBetween(10_000L, 120_000_000L);
    }
}
