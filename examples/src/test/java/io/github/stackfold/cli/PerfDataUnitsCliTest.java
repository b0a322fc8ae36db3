package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.cli.PerfDataCliTest.Run;
import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units of a perf.data input reach every viewer and export as they reach the flame graph's
 * subtitle: {@code flame html} states them (subtitle, count name), {@code flame export} types its values
 * ({@code samples/count} beside {@code cycles/count} or {@code cpu/nanoseconds} in pprof, per-process
 * speedscope profiles in the weight's unit). The pprof files are decoded by Go's own
 * {@code go tool pprof -raw}; the numbers are the lab recording's (157 samples, 373,058,756 cycles) or
 * counted from {@code perf script}'s own text.
 */
class PerfDataUnitsCliTest {
    @TempDir
    Path tmp;

    private static final Pattern SUBTITLE = Pattern.compile("\"subtitle\":\"([^\"]*)\",\"countName\":\"([^\"]*)\"");

    @Test
    void theArm64RecordingsUnitsReachHtmlAndExport() throws Exception {
        Path data = Shared.path("real/lab-recordings/vkamlov-arm64.perf.data");
        Shared.requireThat(Files.isRegularFile(data), "no " + data + " (the shared lab recordings)");
        String units = "157 samples, 373,058,756 cycles in 53.24 s";

        Run svg = PerfDataCliTest.flame("flamegraph", data.toString());
        assertThat(svg.code()).as(svg.err()).isZero();
        assertThat(svg.out()).contains(units);
        Path html = tmp.resolve("a.html");
        Run h = PerfDataCliTest.flame("html", "-o", html.toString(), data.toString());
        assertThat(h.code()).as(h.err()).isZero();
        Matcher m = SUBTITLE.matcher(Files.readString(html, StandardCharsets.UTF_8));
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).startsWith(units);
        // the units as the flame graph's (then each says how to name the unnamed frames with its own command)
        String stated = m.group(1).split("; cannot tell: ")[0];
        assertThat(stated).startsWith(units);
        // (the graph's subtitle is read as its element's text: it is two lines there, as wide as the graph)
        assertThat(UnnamedVerdictCliTest.subtitles(svg.out())).as("the same statement as the flame graph's")
                .singleElement().asString().contains(stated + "; cannot tell: ");
        assertThat(m.group(2)).isEqualTo("cycles");

        JsonNode weights = speedscope(data, "weight");
        JsonNode samples = speedscope(data, "samples");
        assertThat(sumEnd(weights)).isEqualTo(373_058_756L);
        assertThat(sumEnd(samples)).isEqualTo(157L);
        assertThat(weights.get("profiles").get(0).get("name").asText()).isEqualTo("kube-apiserver");

        String go = GoToolPprof.requireGo();
        String raw = pprofRaw(go, data);
        assertThat(raw.lines().filter(l -> l.startsWith("samples/count")).findFirst().orElse(""))
                .startsWith("samples/count cycles/count");
        assertThat(sum(GoToolPprof.fold(raw, 0))).isEqualTo(157L);
        assertThat(sum(GoToolPprof.fold(raw, 1))).isEqualTo(373_058_756L);
    }

    @Test
    void aCpuClockRecordingMadeHereCarriesSamplesAndCpuNanoseconds() throws Exception {
        PerfRuns.requirePerf();
        Path data = PerfRuns.recordData(PerfRuns.busyLoop(300_000), tmp, "busy");
        // perf's own count: one line per sample with its period
        Path text = tmp.resolve("busy.txt");
        Process s = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "period")
                .redirectOutput(text.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(s.waitFor(120, TimeUnit.SECONDS)).isTrue();
        long perfSamples = 0;
        long perfPeriods = 0;
        for (String l : Files.readAllLines(text, StandardCharsets.ISO_8859_1)) {
            if (!l.isBlank()) {
                perfSamples++;
                perfPeriods += Long.parseLong(l.trim());
            }
        }
        assertThat(perfSamples).isGreaterThan(10);

        Path html = tmp.resolve("b.html");
        Run h = PerfDataCliTest.flame("html", "-o", html.toString(), data.toString());
        assertThat(h.code()).as(h.err()).isZero();
        Matcher m = SUBTITLE.matcher(Files.readString(html, StandardCharsets.UTF_8));
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).startsWith(String.format(java.util.Locale.ROOT, "%,d samples, ", perfSamples))
                .contains(" CPU in ").contains("event cpu-clock");
        assertThat(m.group(2)).isEqualTo("ns");

        JsonNode weights = speedscope(data, "weight");
        assertThat(weights.get("profiles").get(0).get("unit").asText()).isEqualTo("nanoseconds");
        assertThat(sumEnd(weights)).isEqualTo(perfPeriods);
        assertThat(sumEnd(speedscope(data, "samples"))).isEqualTo(perfSamples);

        String go = GoToolPprof.requireGo();
        String raw = pprofRaw(go, data);
        assertThat(raw.lines().filter(l -> l.startsWith("samples/count")).findFirst().orElse(""))
                .startsWith("samples/count cpu/nanoseconds");
        assertThat(sum(GoToolPprof.fold(raw, 0))).isEqualTo(perfSamples);
        assertThat(sum(GoToolPprof.fold(raw, 1))).isEqualTo(perfPeriods);
    }

    @Test
    void pprofExportOfARecordingKeepsItsProcessPeriodTypeAndDuration() throws Exception {
        PerfRuns.requirePerf();
        String go = GoToolPprof.requireGo();
        Path data = PerfRuns.recordData(PerfRuns.busyLoop(300_000), tmp, "busy");
        // perf's own text: the process, the sample times (seconds since boot) and periods
        Path text = tmp.resolve("busy-events.txt");
        Process s = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "comm,pid,tid,time,period,event,ip,sym,dso")
                .redirectOutput(text.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(s.waitFor(120, TimeUnit.SECONDS)).isTrue();
        java.util.Set<String> comms = new java.util.TreeSet<>();
        java.util.Set<Long> periods = new java.util.TreeSet<>();
        double first = Double.MAX_VALUE;
        double last = 0;
        Matcher event = Pattern.compile("^(\\S+)\\s+\\d+/\\d+\\s+(\\d+\\.\\d+):\\s+(\\d+) cpu-clock").matcher("");
        for (String l : Files.readAllLines(text, StandardCharsets.ISO_8859_1)) {
            if (event.reset(l).find()) {
                comms.add(event.group(1));
                double t = Double.parseDouble(event.group(2));
                first = Math.min(first, t);
                last = Math.max(last, t);
                periods.add(Long.parseLong(event.group(3)));
            }
        }
        assertThat(comms).as("perf script's processes").containsExactly("sh");
        double span = last - first;
        assertThat(span).isPositive();

        // perf script text: the event's type, the period when every sample has the one, the span, the process
        Path fromText = tmp.resolve("text.pb.gz");
        Run t = PerfDataCliTest.flame("export", "--format", "pprof", "-o", fromText.toString(), text.toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(HtmlExportCommandTest.rawHeader(GoToolPprof.raw(go, fromText))).contains("PeriodType: cpu nanoseconds",
                "Period: " + (periods.size() == 1 ? periods.iterator().next() : 0), "mapping sh");
        assertDuration(GoToolPprof.topHead(go, fromText), span);
        // the recording itself (perf record -F: a frequency, so no period); its span in nanoseconds
        Path fromData = tmp.resolve("data.pb.gz");
        Run d = PerfDataCliTest.flame("export", "--format", "pprof", "-o", fromData.toString(), data.toString());
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(HtmlExportCommandTest.rawHeader(GoToolPprof.raw(go, fromData)))
                .contains("PeriodType: cpu nanoseconds", "Period: 0", "mapping sh");
        assertDuration(GoToolPprof.topHead(go, fromData), span);

        // perf record -c: a fixed period of cpu-clock nanoseconds, which the samples then do not carry
        Path fixed = tmp.resolve("fixed.data");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("perf", "record", "-q", "-e", "cpu-clock",
                "-c", "2000000", "-g", "-o", fixed.toString(), "--"));
        cmd.addAll(PerfRuns.busyLoop(300_000));
        Process r = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(r.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(r.exitValue()).isZero();
        Path fromFixed = tmp.resolve("fixed.pb.gz");
        Run f = PerfDataCliTest.flame("export", "--format", "pprof", "-o", fromFixed.toString(), fixed.toString());
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(HtmlExportCommandTest.rawHeader(GoToolPprof.raw(go, fromFixed)))
                .contains("PeriodType: cpu nanoseconds", "Period: 2000000", "mapping sh");
    }

    /** -top's {@code Duration: 891.23ms, Total samples = ...} is {@code seconds}, to its two decimals (and perf's microseconds). */
    private static void assertDuration(java.util.List<String> topHead, double seconds) {
        String line = topHead.stream().filter(l -> l.startsWith("Duration: ")).findFirst().orElse("");
        Matcher m = Pattern.compile("^Duration: ([0-9.]+)(ms|s),").matcher(line);
        assertThat(m.find()).as(String.join("\n", topHead)).isTrue();
        double unit = m.group(2).equals("ms") ? 1e-3 : 1;
        assertThat(Double.parseDouble(m.group(1)) * unit).as(line).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.006 * unit + 2e-6));
    }

    private JsonNode speedscope(Path data, String value) throws Exception {
        Path out = tmp.resolve("s-" + value + ".json");
        Run r = PerfDataCliTest.flame("export", "--format", "speedscope", "--value", value, "-o", out.toString(),
                data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(out.toFile());
    }

    private String pprofRaw(String go, Path data) throws Exception {
        Path out = tmp.resolve("p.pb.gz");
        Run r = PerfDataCliTest.flame("export", "--format", "pprof", "-o", out.toString(), data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return GoToolPprof.raw(go, out);
    }

    private static long sumEnd(JsonNode speedscope) {
        long t = 0;
        for (JsonNode p : speedscope.get("profiles")) {
            t += p.get("endValue").asLong() - p.get("startValue").asLong();
        }
        return t;
    }

    private static long sum(java.util.Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
