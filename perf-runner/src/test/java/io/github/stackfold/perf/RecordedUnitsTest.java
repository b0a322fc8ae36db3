package io.github.stackfold.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMeta;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers of a real recording ({@code perf record -e cpu-clock} of a busy C program) say samples
 * and CPU time, counted here independently from the perf script text perf itself printed: the SVG
 * said "11,707,070,590 samples" for 1,159 samples, analyze of the folded file 464,646,460 for 46, and
 * compare "343434340 samples", because the weights were cpu-clock periods in nanoseconds.
 */
class RecordedUnitsTest {
    /** An event line of perf script: not indented, {@code ... TIME: PERIOD cpu-clock:}. */
    private static final Pattern EVENT = Pattern.compile("^\\S.*:\\s+(\\d+)\\s+cpu-clock:.*$", Pattern.MULTILINE);

    private static Busy busy;

    @TempDir
    Path out;

    @BeforeAll
    static void build() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        busy = new Busy();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (busy != null) {
            busy.close();
        }
    }

    @Test
    void aRecordingCountsSamplesAndSaysItsCpuTimeInEveryOutput() throws Exception {
        String name = Busy.name("sfunits");
        busy.start(name);
        PerfRecorder rec = PerfRecorder.create(RecordOptions.builder().duration(Duration.ofSeconds(2)).outputDir(out)
                .processName(name).keep(true).stream(false).build());
        Recording r = rec.record();
        rec.writeResults(r);

        // independent count: the event lines of the perf script text perf printed, and their periods
        String text = Files.readString(out.resolve(name + ".perf.txt"), java.nio.charset.StandardCharsets.ISO_8859_1);
        long samples = 0;
        long periods = 0;
        Matcher m = EVENT.matcher(text);
        while (m.find()) {
            samples++;
            periods += Long.parseLong(m.group(1));
        }
        assertThat(samples).as("samples in the perf script text (few on a busy machine)").isGreaterThan(1);
        assertThat(periods).as("cpu-clock periods are nanoseconds, ~10.1 ms each at 99 Hz").isGreaterThan(samples * 1_000_000);

        // the profile: one count per sample, the CPU time and the duration in its metadata
        assertThat(r.profile().total()).isEqualTo(samples);
        ProfileMeta meta = r.profile().meta();
        assertThat(meta.samples()).isEqualTo(samples);
        assertThat(meta.cpuNanos()).isEqualTo(periods);
        assertThat(meta.event()).isEqualTo("cpu-clock");
        assertThat(meta.durationNanos()).isEqualTo(r.recorded().toNanos());

        // the folded file: a header, then counts that add up to the samples
        Path folded = out.resolve(name + ".folded");
        List<String> lines = Files.readAllLines(folded, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(lines.get(0)).startsWith("# stackfold: samples=" + samples + " counts=samples event=cpu-clock cpu_ns=" + periods);
        long sum = 0;
        for (String l : lines.subList(1, lines.size())) {
            sum += Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
        }
        assertThat(sum).isEqualTo(samples);

        // analyze of the written file (what `flame analyze NAME.folded` reads) says the samples and the CPU
        FoldedProfile back = ProfileLoader.create().load(folded);
        Report report = Analyzer.withDefaults().analyze(back);
        assertThat(report.samples()).isEqualTo(samples);
        assertThat(report.meta().cpuNanos()).isEqualTo(periods);
        assertThat(report.toText()).startsWith(String.format(Locale.ROOT, "%,d samples, ", samples))
                .doesNotContain(Long.toString(periods) + " samples");

        // compare (what `flame compare A.folded B.folded` prints): each side's sample count
        JsonNode c = new ObjectMapper().readTree(Comparison.of(report, report, 10).toJson());
        assertThat(c.get("before").get("samples").asLong()).isEqualTo(samples);
        assertThat(c.get("after").get("cpuSeconds").asDouble()).isCloseTo(periods / 1e9, org.assertj.core.api.Assertions.within(1e-9));

        // the SVG: "all (N samples, X s CPU, 100%)"
        String svg = Files.readString(out.resolve("flame.svg"));
        String cpu = periods >= 1e9 ? String.format(Locale.ROOT, "%.2f s", periods / 1e9)
                : periods >= 1e7 ? String.format(Locale.ROOT, "%.0f ms", periods / 1e6)
                : String.format(Locale.ROOT, "%.2f ms", periods / 1e6);
        assertThat(svg).contains(String.format(Locale.ROOT, "<title>all (%,d samples, %s CPU, 100%%)</title>", samples, cpu))
                .doesNotContain(String.format(Locale.ROOT, "%,d samples", periods));
    }
}
