package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Every share in analyze's text and JSON carries its 95 % margin, recounted here from the folded lines
 * and the Wilson interval's formula written out, not through the code under test.
 */
class MarginsInReportTest {
    private static double wilsonHalfWidth(long k, long n) {
        double z = 1.959963984540054;
        double p = (double) k / n;
        return z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
    }

    /** The profile's total weight and the weight of the stacks whose leaf frame is {@code leaf}, counted here. */
    static long[] totalAndLeaf(FoldedProfile p, String leaf) {
        long total = 0;
        long atLeaf = 0;
        for (int i = 0; i < p.size(); i++) {
            total += p.count(i);
            if (p.stack(i).endsWith(";" + leaf)) {
                atLeaf += p.count(i);
            }
        }
        return new long[] {total, atLeaf};
    }

    @Test
    void theRealProfilesSharesCarryWilsonMarginsInTextAndJson() throws Exception {
        FoldedProfile p = PprofReader.create().read(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb")).folded();
        Report r = Analyzer.withDefaults().analyze(p);
        assertThat(r.samples()).isEqualTo(199);

        // runtime.futex as the leaf: recount the samples whose last frame it is (10 ms each)
        long[] counted = totalAndLeaf(p, "runtime.futex");
        long total = counted[0];
        long futex = counted[1];
        long k = Math.round(199.0 * futex / total);
        String text = r.toText();
        assertThat(text).contains("Shares below are of all 199 samples");
        assertThat(text).contains(String.format(Locale.ROOT, "%.1f%% \u00b1%.1f  runtime.futex", 100.0 * k / 199, 100 * wilsonHalfWidth(k, 199)));

        JsonNode j = new ObjectMapper().readTree(r.toJson());
        for (JsonNode c : j.get("categories")) {
            long ke = Math.round(c.get("exclusive").asDouble() * 199);
            assertThat(c.get("exclusiveMargin").asDouble()).as(c.get("name").asText()).isCloseTo(wilsonHalfWidth(ke, 199), within(1e-9));
            String line = text.lines().filter(l -> l.startsWith("  " + c.get("name").asText() + " ")).findFirst().orElseThrow();
            assertThat(line).contains(String.format(Locale.ROOT, "\u00b1%.1f", 100 * wilsonHalfWidth(ke, 199)));
        }
        assertThat(j.get("topSelf").get(0).get("margin").asDouble()).isCloseTo(wilsonHalfWidth(k, 199), within(1e-9));
    }

    @Test
    void aLabFoldedFileOfPerfPeriodsGetsMarginsFromTheSamplesThePeriodsMakeNotFromBillionsOfWeights() throws Exception {
        // the lab's folded file sums perf's cpu-clock periods (multiples of 10,101,010 ns at 99 Hz):
        // 2,191,919,170 "samples" that are 217 samples
        FoldedProfile p;
        try (var in = java.nio.file.Files.newInputStream(Shared.path("real/lab-recordings/dereban25-flame.folded"))) {
            p = FoldedProfile.read(in, "dereban25-flame.folded");
        }
        long[] counted = totalAndLeaf(p, "[kube-apiserver]");
        long total = counted[0];
        long selfOfTop = counted[1];
        assertThat(total % 10_101_010).isZero();
        long n = total / 10_101_010;
        assertThat(n).isEqualTo(217);
        long k = selfOfTop / 10_101_010;

        Report r = Analyzer.withDefaults().analyze(p);
        assertThat(r.samples()).isEqualTo(n);
        double share = (double) selfOfTop / total;
        assertThat(r.margin(share)).isCloseTo(wilsonHalfWidth(k, n), within(1e-9)).isGreaterThan(0.05);
        String text = r.toText();
        assertThat(text).contains(String.format(Locale.ROOT, "%.1f%% \u00b1%.1f  [kube-apiserver]", 100 * share,
                100 * wilsonHalfWidth(k, n)));
        assertThat(text).doesNotContain("\u00b10.0  [kube-apiserver]").contains("all 217 samples (the counts read as periods, see the note)");
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("categories").get(0).get("exclusiveMargin").asDouble()).isGreaterThan(0.001);
        assertThat(j.get("samples").asLong()).isEqualTo(217);
    }

    @Test
    void theMarkdownAnswersNameTheSameIntervalAsTheText() throws Exception {
        FoldedProfile p = PprofReader.create().read(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb")).folded();
        Report r = Analyzer.withDefaults().analyze(p);
        // the margins are Wilson's (wilsonHalfWidth above); the text says so, the markdown said "binomial"
        assertThat(r.toText()).contains("95% margin (Wilson interval)");
        assertThat(Answers.of(r, null).toMarkdown()).contains("95 % margins (Wilson interval)").doesNotContain("binomial");
    }

    /**
     * A lab's flame graph whose counts are cpu-clock periods (48 samples of 10,101,010 ns, README of the
     * lab recordings): its margins were computed from 484,848,480 "samples" and read ±0.0 on every share.
     * They are counted from the 48 samples, recounted here from the SVG's folded twin.
     */
    @Test
    void aFlameGraphOfPeriodsHasMarginsOfItsSamplesNotOfItsNanoseconds() throws Exception {
        java.util.Map<String, Long> leaves = new java.util.HashMap<>();
        long n = 0;
        for (String line : java.nio.file.Files.readAllLines(Shared.path("real/lab-recordings/oleksii-bebych-flame.folded"))) {
            if (line.isBlank()) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            long c = Long.parseLong(line.substring(sp + 1));
            assertThat(c % 10_101_010).as(line).isZero();
            String stack = line.substring(0, sp);
            leaves.merge(stack.substring(stack.lastIndexOf(';') + 1), c / 10_101_010, Long::sum);
            n += c / 10_101_010;
        }
        assertThat(n).isEqualTo(48);
        long k = leaves.get("[kube-apiserver]");
        FoldedProfile p = io.github.stackfold.flamegraph.io.ProfileLoader.create().load(Shared.path("real/lab-recordings/oleksii-bebych-flame.svg"));
        Report r = Analyzer.withDefaults().analyze(p);
        assertThat(r.samples()).isEqualTo(48);
        String text = r.toText();
        assertThat(text).contains("Shares below are of all 48 samples (the counts read as periods, see the note)");
        assertThat(text).contains(String.format(Locale.ROOT, "%.1f%% \u00b1%.1f  [kube-apiserver]", 100.0 * k / n, 100 * wilsonHalfWidth(k, n)));
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("samples").asLong()).isEqualTo(48);
        assertThat(j.get("topSelf").get(0).get("margin").asDouble()).isCloseTo(wilsonHalfWidth(k, n), within(1e-9));
    }

    /**
     * The lab's arm64 perf.data weighs its 157 samples in cycles, periods from 1 to millions (README of the
     * lab recordings: 373,058,756 cycles in 157 samples). Its text said "Shares below are of all 157 samples"
     * over shares of cycles; it now says what they are of and that the margin assumes equal samples.
     */
    @Test
    void sharesOfVaryingEventCountsAreNotCalledSharesOfSamples() throws Exception {
        FoldedProfile p = io.github.stackfold.flamegraph.io.ProfileLoader.create().load(Shared.path("real/lab-recordings/vkamlov-arm64.perf.data"));
        Report r = Analyzer.withDefaults().analyze(p);
        assertThat(r.total()).isEqualTo(373_058_756L);
        assertThat(r.samples()).isEqualTo(157);
        String text = r.toText();
        assertThat(text).doesNotContain("Shares below are of all 157 samples")
                .contains("Shares below are of all 373,058,756 cycles:P events (not of the 157 samples: their periods vary)")
                .contains("too narrow when a few samples carry most of the events");
    }
}
