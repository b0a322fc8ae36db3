package io.github.stackfold.flamegraph.folded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.flamegraph.render.FlameGraphOptions;
import io.github.stackfold.flamegraph.render.FlameGraphRenderer;
import io.github.stackfold.flamegraph.render.FoldedSamples;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Units and counts of real profiles, checked against what Go's own {@code go tool pprof} says of the
 * same files: the SVG said "all (1,990,000,000 samples, 100%)" and analyze "total weight 1990000000"
 * for a profile of 199 samples of 10 ms CPU each.
 */
public class ProfileMetaTest {
    @TempDir
    Path tmp;

    /** What go tool pprof says of a profile: samples and CPU (from -raw), duration (from -top). */
    public record GoSays(long samples, long cpuNanos, double durationSeconds) {
    }

    public static GoSays goToolPprof(Path profile) throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/local/go/bin/go")) || onPath("go"),
                "the go toolchain is not installed: go tool pprof is the independent count");
        String raw = run("go", "tool", "pprof", "-raw", profile.toString());
        long samples = 0;
        long cpu = 0;
        boolean in = false;
        for (String line : raw.split("\n")) {
            if (line.startsWith("samples/count cpu/nanoseconds")) {
                in = true;
                continue;
            }
            if (in) {
                Matcher m = Pattern.compile("^\\s+(\\d+)\\s+(\\d+):").matcher(line);
                if (!m.find()) {
                    break;
                }
                samples += Long.parseLong(m.group(1));
                cpu += Long.parseLong(m.group(2));
            }
        }
        Matcher d = Pattern.compile("Duration: ([0-9.]+)(m?s)").matcher(run("go", "tool", "pprof", "-top", profile.toString()));
        assertThat(d.find()).as("go tool pprof -top prints the duration").isTrue();
        double seconds = Double.parseDouble(d.group(1)) / (d.group(2).equals("ms") ? 1000 : 1);
        return new GoSays(samples, cpu, seconds);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    public static Path pprof(String name) {
        return Shared.path("real/kube-apiserver-pprof/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kubeapiserver_cpu_profile.pb", "kubeapiserver_alone_cpu_profile.pb"})
    void aPprofCpuProfileSaysItsSamplesCpuTimeAndOwnDuration(String name) throws Exception {
        Path file = pprof(name);
        GoSays go = goToolPprof(file);
        FoldedProfile p = ProfileLoader.create().load(file);
        ProfileMeta m = p.meta();
        assertThat(m.samples()).isEqualTo(go.samples());
        assertThat(m.cpuNanos()).isEqualTo(go.cpuNanos());
        assertThat(m.weight()).isEqualTo(ProfileMeta.Weight.CPU_NANOSECONDS);
        assertThat(m.period()).isEqualTo(10_000_000L);
        assertThat(m.durationSeconds()).isCloseTo(go.durationSeconds(), within(0.006));

        // analyze: samples, CPU, duration, cores; no bare weight called samples
        Report r = Analyzer.withDefaults().analyze(p);
        String cpu = String.format(Locale.ROOT, "%.2f s", go.cpuNanos() / 1e9);
        String expected = String.format(Locale.ROOT, "%d samples, %s CPU in %.2f s (%.2f cores)", go.samples(), cpu,
                go.durationSeconds(), go.cpuNanos() / 1e9 / go.durationSeconds());
        assertThat(r.toText()).startsWith(expected).contains("weights in CPU nanoseconds (total " + go.cpuNanos() + ")")
                .doesNotContain(go.cpuNanos() + " samples");
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("samples").asLong()).isEqualTo(go.samples());
        assertThat(j.get("weightUnit").asText()).isEqualTo("cpu-nanoseconds");
        assertThat(j.get("cpuSeconds").asDouble()).isCloseTo(go.cpuNanos() / 1e9, within(1e-9));
        assertThat(j.get("durationSeconds").asDouble()).isCloseTo(go.durationSeconds(), within(0.006));

        // the SVG: "all (199 samples, 1.99 s CPU, 100%)", and every frame's CPU is its samples x 10 ms
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        FlameGraphRenderer.of(FlameGraphOptions.defaults()).render(p, svg);
        String s = svg.toString(StandardCharsets.UTF_8);
        assertThat(s).contains(String.format(Locale.ROOT, "<title>all (%,d samples, %s CPU, 100%%)</title>", go.samples(), cpu))
                .doesNotContain(String.format(Locale.ROOT, "%,d samples", go.cpuNanos()));
        Matcher f = Pattern.compile("<title>[^<]* \\(([0-9,]+) samples, ([0-9.]+) (s|ms) CPU, [0-9.]+%\\)</title>").matcher(s);
        int frames = 0;
        while (f.find()) {
            long n = Long.parseLong(f.group(1).replace(",", ""));
            double ms = Double.parseDouble(f.group(2)) * (f.group(3).equals("s") ? 1000 : 1);
            assertThat(ms).as(f.group()).isCloseTo(n * 10.0, within(n >= 100 ? 5.0 : 0.5));
            frames++;
        }
        assertThat(frames).isGreaterThan(50);
    }

    @Test
    void theHeaderIsSkippedByFlamegraphPlsLinePatternAndReadBackByOurReaders() throws Exception {
        FoldedProfile p = ProfileLoader.create().load(pprof("kubeapiserver_cpu_profile.pb"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.writeWithHeader(out);
        Path file = tmp.resolve("apiserver.folded");
        Files.write(file, out.toByteArray());
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        assertThat(lines.get(0)).startsWith("# stackfold: samples=199 counts=samples event=cpu cpu_ns=1990000000 period=10000000 "
                + "duration_ns=30");

        // flamegraph.pl's own line pattern (in Perl): the header does not match, the stacks add up to 199 samples
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is not installed");
        String perl = run("perl", "-ne", "chomp; if (/^(.*)\\s+?(\\d+(?:\\.\\d*)?)$/) { $n++; $t += $2 } else { $i++ } "
                + "END { print \"$n $t $i\\n\" }", file.toString()).trim();
        assertThat(perl).isEqualTo((lines.size() - 1) + " 199 1");

        // our readers take the header as metadata, not as a bad line
        FoldedProfile back = FoldedProfile.read(Files.newInputStream(file), file.toString());
        assertThat(back.total()).isEqualTo(199);
        assertThat(back.meta()).isEqualTo(new ProfileMeta(199, ProfileMeta.Weight.SAMPLES, "cpu", 10_000_000, 1_990_000_000L,
                p.meta().durationNanos()));
        FoldedSamples samples = FoldedSamples.read(Files.newInputStream(file), file.toString());
        assertThat(samples.ignoredLines()).isZero();
        assertThat(samples.meta()).isEqualTo(back.meta());

        // drawn from the file with and without its header: the same frames, the same widths
        byte[] withHeader = render(Files.readAllBytes(file));
        String body = String.join("\n", lines.subList(1, lines.size())) + "\n";
        byte[] without = render(body.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(rects(withHeader)).isEqualTo(rects(without)).hasSizeGreaterThan(50);
        assertThat(new String(withHeader, StandardCharsets.UTF_8)).contains("<title>all (199 samples, 1.99 s CPU, 100%)</title>");
        assertThat(new String(without, StandardCharsets.UTF_8)).contains("<title>all (199 samples, 100%)</title>");
    }

    private static byte[] render(byte[] folded) throws Exception {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        FlameGraphRenderer.of(FlameGraphOptions.defaults()).render(FoldedSamples.read(new ByteArrayInputStream(folded), "f"), svg);
        return svg.toByteArray();
    }

    private static List<String> rects(byte[] svg) {
        List<String> r = new ArrayList<>();
        Matcher m = Pattern.compile("<rect x=\"[^\"]*\" y=\"[^\"]*\" width=\"[^\"]*\"").matcher(new String(svg, StandardCharsets.UTF_8));
        while (m.find()) {
            r.add(m.group());
        }
        return r;
    }

    @Test
    void aFoldedFileFromElsewhereIsPlainCountsAndDrawsAsBefore() throws Exception {
        String text = "main;a 3\nmain;b 2\n";
        FoldedProfile p = FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "x");
        assertThat(p.meta().plain()).isTrue();
        assertThat(p.meta().samples()).isEqualTo(5);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        FlameGraphRenderer.of(FlameGraphOptions.defaults()).render(p, a);
        assertThat(a.toByteArray()).isEqualTo(render(text.getBytes(StandardCharsets.US_ASCII)));
        assertThat(Analyzer.withDefaults().analyze(p).toText()).startsWith("5 samples; CPU time unknown (counts are samples)")
                .contains("Shares below are of all 5 samples,");
        FoldedProfile one = FoldedProfile.read(new ByteArrayInputStream("main;a 1\n".getBytes(StandardCharsets.US_ASCII)), "x");
        assertThat(Analyzer.withDefaults().analyze(one).toText()).startsWith("1 sample; CPU time unknown (counts are samples)")
                .contains("Shares below are of the one sample,");
    }

    @Test
    void profilesInOneUnitMergeWithTheirSamplesAndCpuAddedAndOthersArePlain() throws Exception {
        FoldedProfile a = ProfileLoader.create().load(pprof("kubeapiserver_cpu_profile.pb"));
        FoldedProfile b = ProfileLoader.create().load(pprof("kubeapiserver_alone_cpu_profile.pb"));
        ProfileMeta m = a.merge(b).meta();
        assertThat(m.samples()).isEqualTo(a.meta().samples() + b.meta().samples()).isEqualTo(371);
        assertThat(m.cpuNanos()).isEqualTo(a.meta().cpuNanos() + b.meta().cpuNanos());
        assertThat(m.weight()).isEqualTo(ProfileMeta.Weight.CPU_NANOSECONDS);
        assertThat(m.durationNanos()).as("two profiles may overlap: no duration").isZero();
        FoldedProfile plain = FoldedProfile.read(new ByteArrayInputStream("main;a 3\n".getBytes(StandardCharsets.US_ASCII)), "x");
        assertThat(ProfileMeta.sameUnit(a.meta(), plain.meta())).isFalse();
        assertThat(ProfileMeta.sameUnit(null, plain.meta())).as("null: plain counts").isTrue();
        assertThat(a.merge(plain).meta().plain()).isTrue();
        assertThat(ProfileMeta.merge(a.meta(), plain.meta())).isNull();
        assertThat(plain.merge(plain).meta().plain()).isTrue();
    }
}
