package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.GoToolPprof;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flame html} and {@code flame export} on the command line: flags, inputs, errors. */
class HtmlExportCommandTest {
    static final String FOLDED = "main;parse;lex 30\nmain;render 70\n";
    static final String PERF = String.join("\n",
            "java 12688 [002] 6544038.708352: 10309278 cpu-clock:",
            "\t    7f3a0c1e2b44 Foo::bar+0x14 (/opt/x.so)",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "",
            "java 12688 [002] 6544039.250000: 10309278 cpu-clock:",
            "\t    7f3a0c1e2b44 Foo::bar+0x14 (/opt/x.so)",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "",
            "java 12688 [002] 6544040.000001: 5 cpu-clock:",
            "\t    7f3a0c1e2b00 main (/opt/x)",
            "", "");
    static final String BUSY = "real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb";

    record Run(int code, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Run flame(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)), out, err);
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void htmlOfFoldedStdinIsOneSelfContainedPage() {
        Run r = flame(FOLDED, "html", "--title", "t<1>", "--colors", "mem", "--minwidth", "0.5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text()).startsWith("<!DOCTYPE html>").contains("<title>t&lt;1&gt;</title>")
                .contains("\"palette\":\"mem\"").contains("\"minWidth\":0.5").contains("\"diff\":false")
                .doesNotContain("src=\"http").endsWith("</html>\n");
    }

    /** The trailer's labels offset in the page's data (0: labels are the full names). */
    static int labelsOffset(String html) throws Exception {
        int from = html.indexOf("id=\"sf-data\">") + "id=\"sf-data\">".length();
        byte[] z = java.util.Base64.getDecoder().decode(html.substring(from, html.indexOf("</script>", from)).strip());
        byte[] data = new java.util.zip.InflaterInputStream(new ByteArrayInputStream(z), new java.util.zip.Inflater(true))
                .readAllBytes();
        return java.nio.ByteBuffer.wrap(data, data.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void namesFlagChoosesTheLabels() throws Exception {
        String go = "runtime.goexit;net/http.(*conn).serve;net/http.HandlerFunc.ServeHTTP 5\n";
        Run auto = flame(go, "html");
        assertThat(auto.code()).as(auto.err()).isZero();
        assertThat(labelsOffset(auto.text())).isPositive();
        Run full = flame(go, "html", "--names", "full");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(labelsOffset(full.text())).isZero();
        Run shortOnC = flame(FOLDED, "html", "--names", "short");
        assertThat(labelsOffset(shortOnC.text())).isPositive();
        assertThat(labelsOffset(flame(FOLDED, "html").text())).isZero();
        Run bad = flame(go, "html", "--names", "tiny");
        assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("tiny").contains("short, full or auto");
    }

    @Test
    void htmlOfDiffInputIsDifferentialAndPerfInputTimed(@TempDir Path dir) throws Exception {
        Run d = flame("main;a 10 30\nmain;b 30 10\n", "html");
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(d.text()).contains("\"diff\":true").contains("<title>Differential Flame Graph</title>");
        Path out = dir.resolve("perf.html");
        Run t = flame(PERF, "html", "--heatmap", "-o", out.toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.err()).isEmpty();
        assertThat(Files.readString(out)).contains("\"timed\":true").contains("\"view\":\"heatmap\"");
        Run f = flame(FOLDED, "html", "--heatmap");
        assertThat(f.code()).isZero();
        assertThat(f.err()).contains("no sample times");
    }

    @Test
    void sharedFlameGraphFlagsMapOntoTheViewerAndSvgOnlyOnesAreRefused() {
        Run r = flame(FOLDED, "html", "--minwidth", "0.5%", "--inverted", "--countname", "ns");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text()).contains("\"minWidth\":0.5,\"minWidthPercent\":true").contains("\"view\":\"icicle\"")
                .contains("\"countName\":\"ns\"");
        Run w = flame(FOLDED, "html", "--width", "800");
        assertThat(w.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(w.err()).contains("--width shapes the SVG only");
    }

    @Test
    void aBadSharedFlagIsRefusedByHtmlAsByFlamegraph() {
        for (String[] flag : new String[][] {{"--minwidth", "1e3"}, {"--minwidth", "%"}, {"--colors", "plaid"}}) {
            Run html = flame(FOLDED, "html", flag[0], flag[1]);
            Run svg = flame(FOLDED, "flamegraph", flag[0], flag[1]);
            assertThat(html.code()).as(html.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(svg.code()).as(svg.err()).isEqualTo(ExitCodes.USAGE);
            String refusal = svg.err().lines().findFirst().orElseThrow();
            assertThat(refusal).contains(flag[1]);
            assertThat(html.err().lines().findFirst()).contains(refusal);
            assertThat(html.out()).isEmpty();
        }
    }

    @Test
    void badInputIsOneLineAndExit2() {
        Run r = flame("", "html");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).doesNotContain("\n").contains("<stdin>");
        Run u = flame(FOLDED, "export");
        assertThat(u.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(u.err()).contains("--format");
    }

    @Test
    void exportFoldedBySamplesOrWeight() {
        Run s = flame(PERF, "export", "--format", "folded", "--value", "samples");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.text()).isEqualTo("java;main 1\njava;main;Foo::bar 2\n");
        Run w = flame(PERF, "export", "--format", "folded");
        assertThat(w.text()).isEqualTo("java;main 5\njava;main;Foo::bar 20618556\n");
    }

    @Test
    void exportSpeedscopeOfPerfHasOneProfilePerProcess() {
        Run r = flame(PERF, "export", "--format", "speedscope", "--name", "lab");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text()).startsWith("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"")
                .contains("\"name\":\"java\"").contains("\"unit\":\"nanoseconds\"").contains("\"name\":\"lab\"");
    }

    @Test
    void exportPprofOfARealProfileKeepsItsTotalsInGoToolPprof(@TempDir Path dir) throws Exception {
        String go = GoToolPprof.requireGo();
        Path in = Shared.path(BUSY);
        Path out = dir.resolve("busy.pb.gz");
        Run r = flame("", "export", "--format", "pprof", "-o", out.toString(), in.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String original = GoToolPprof.raw(go, in);
        String exported = GoToolPprof.raw(go, out);
        assertThat(exported).contains("samples/count cpu/nanoseconds[dflt]");
        // the same stacks with the same sample counts and CPU time (function names only: folded stacks keep no lines)
        assertThat(GoToolPprof.withoutNoStack(GoToolPprof.fold(exported, 0)))
                .isEqualTo(new TreeMap<>(GoToolPprof.withoutNoStack(GoToolPprof.fold(original, 0))));
        assertThat(GoToolPprof.withoutNoStack(GoToolPprof.fold(exported, 1)))
                .isEqualTo(new TreeMap<>(GoToolPprof.withoutNoStack(GoToolPprof.fold(original, 1))));
    }

    /** The header lines of {@code go tool pprof -raw}: period type, period, time, duration, and the mappings. */
    static java.util.List<String> rawHeader(String raw) {
        java.util.List<String> header = new java.util.ArrayList<>();
        boolean mappings = false;
        for (String l : raw.split("\n")) {
            if (l.startsWith("PeriodType:") || l.startsWith("Period:") || l.startsWith("Time:") || l.startsWith("Duration:")) {
                header.add(l);
            } else if (l.startsWith("Mappings")) {
                mappings = true;
            } else if (mappings && !l.isBlank()) {
                // "1: 0x10000/0x1e8d000/0x0 /usr/local/bin/kube-apiserver  [FN]": the file name only (the export
                // has no addresses)
                String[] f = l.trim().split("\\s+");
                header.add("mapping " + (f.length > 2 ? f[2] : ""));
            }
        }
        return header;
    }

    @Test
    void exportPprofKeepsThePeriodTimeDurationAndBinaryOfARealProfile(@TempDir Path dir) throws Exception {
        String go = GoToolPprof.requireGo();
        for (String name : new String[] {BUSY, "real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb"}) {
            Path in = Shared.path(name);
            Path out = dir.resolve("export.pb.gz");
            Run r = flame("", "export", "--format", "pprof", "-o", out.toString(), in.toString());
            assertThat(r.code()).as(r.err()).isZero();
            java.util.List<String> original = rawHeader(GoToolPprof.raw(go, in));
            assertThat(original).as("go tool pprof -raw of " + name).contains("PeriodType: cpu nanoseconds",
                    "Period: 10000000", "mapping /usr/local/bin/kube-apiserver").anyMatch(l -> l.startsWith("Duration: 30"))
                    .anyMatch(l -> l.startsWith("Time: 2023-"));
            assertThat(rawHeader(GoToolPprof.raw(go, out))).isEqualTo(original);
            // -top's heading: the binary (File:), type, time, and the duration with the share of it sampled
            assertThat(GoToolPprof.topHead(go, out)).isEqualTo(GoToolPprof.topHead(go, in)).contains("File: kube-apiserver");
        }
    }

    @Test
    void exportOfTwoPprofProfilesKeepsSamplesAndNanosecondsApart(@TempDir Path dir) throws Exception {
        String go = GoToolPprof.requireGo();
        Path busy = Shared.path(BUSY);
        Path alone = Shared.path("real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb");
        long samples = 0;
        long nanos = 0;
        for (Path p : new Path[] {busy, alone}) {
            String raw = GoToolPprof.raw(go, p);
            samples += GoToolPprof.fold(raw, 0).values().stream().mapToLong(Long::longValue).sum();
            nanos += GoToolPprof.fold(raw, 1).values().stream().mapToLong(Long::longValue).sum();
        }
        assertThat(nanos).isGreaterThan(samples * 1000);
        Run s = flame("", "export", "--format", "folded", "--value", "samples", busy.toString(), alone.toString());
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(total(s.text())).isEqualTo(samples);
        Run w = flame("", "export", "--format", "folded", busy.toString(), alone.toString());
        assertThat(total(w.text())).isEqualTo(nanos);
        Path out = dir.resolve("both.pb.gz");
        Run p = flame("", "export", "--format", "pprof", "-o", out.toString(), busy.toString(), alone.toString());
        assertThat(p.code()).as(p.err()).isZero();
        String exported = GoToolPprof.raw(go, out);
        assertThat(exported).contains("samples/count cpu/nanoseconds[dflt]");
        assertThat(GoToolPprof.fold(exported, 1).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(nanos);
        // a folded file has only sample counts: merged with a CPU profile, only those are kept
        Path folded = dir.resolve("one.folded");
        Files.writeString(folded, "main;x 3\n");
        Run f = flame("", "export", "--format", "folded", "--value", "weight", busy.toString(), folded.toString());
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(total(f.text())).isEqualTo(GoToolPprof.fold(GoToolPprof.raw(go, busy), 0).values().stream()
                .mapToLong(Long::longValue).sum() + 3);
        // the viewer reads a pprof profile for its CPU time alone: with a folded file it still draws both
        Run h = flame("", "html", busy.toString(), folded.toString());
        assertThat(h.code()).as(h.err()).isZero();
        assertThat(h.err()).doesNotContain("no value type in common");
        assertThat(h.text()).contains("<canvas");
    }

    @Test
    void htmlOfAPprofProfileSaysItsUnitsAsTheSvgDoes() {
        Path in = Shared.path(BUSY);
        Run r = flame("", "html", in.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // 199 samples of 10 ms each: the weights are nanoseconds, not 1,990,000,000 samples
        assertThat(r.text()).contains("\"countName\":\"ns\"").doesNotContain("\"countName\":\"samples\"");
        Run s = flame("", "html", "--value", "samples", in.toString());
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.text()).contains("\"countName\":\"samples\"");
        Run c = flame("", "html", "--countname", "CPU ns", in.toString());
        assertThat(c.text()).contains("\"countName\":\"CPU ns\"");
    }

    @Test
    void htmlOfPerfScriptTextCountsItsPeriodsInTheirUnit() {
        // cpu-clock periods are nanoseconds: 20,618,561 of them in 3 samples, not 20,618,561 samples
        Run r = flame(PERF, "html");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text()).contains("\"countName\":\"ns\"");
        Run c = flame(PERF.replace("cpu-clock", "cycles"), "html");
        assertThat(c.text()).contains("\"countName\":\"cycles\"");
        // without periods the counts are samples
        Run n = flame("java 12688 [002] 6544038.708352:\n\t    7f3a0c1e2b00 main (/opt/x)\n\n", "html");
        assertThat(n.code()).as(n.err()).isZero();
        assertThat(n.text()).contains("\"countName\":\"samples\"");
    }

    @Test
    void exportOfADiffSaysItWritesTheAfterCounts() {
        Run r = flame("main;a 3 5\nmain;b 4 0\n", "export", "--format", "folded");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.text()).isEqualTo("main;a 5\n");
        assertThat(r.err()).contains("flame: warning: - is a diff (two counts a stack); exported its second (after) counts only");
        assertThat(flame(FOLDED, "export", "--format", "folded").err()).isEmpty();
    }

    @Test
    void htmlTitlesAreTheOnesItsHelpNames() {
        assertThat(flame(FOLDED, "html", "--inverted").text()).contains("\"title\":\"Flame Graph\"");
        assertThat(flame("main;a 3 5\n", "html").text()).contains("\"title\":\"Differential Flame Graph\"");
    }

    static long total(String folded) {
        long t = 0;
        for (String line : folded.split("\n")) {
            if (!line.isBlank()) {
                t += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return t;
    }
}
