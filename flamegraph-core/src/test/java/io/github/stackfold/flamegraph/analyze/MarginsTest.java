package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.folded.ProfileMetaTest;
import io.github.stackfold.flamegraph.io.ProfileLoader;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * Margins of {@code compare} and {@code --compare-idle}, each checked against the textbook formula
 * computed here (the Wilson score interval's half-width, and for a difference the root of the summed variances)
 * with n counted by {@code go tool pprof}, not by the code under test.
 */
class MarginsTest {
    /** The half-width of the Wilson score interval, as a statistics text writes it. */
    private static double margin(double p, long n) {
        double z = 1.96;
        return z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
    }

    private static double deltaMargin(double p1, long n1, double p2, long n2) {
        double wald = 1.96 * Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
        if (p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) {
            return wald;
        }
        // a side with no spread (a share of 0 or 1): Newcombe's hybrid score interval from the Wilson bounds
        double[] b1 = wilson(p1, n1);
        double[] b2 = wilson(p2, n2);
        double d = p2 - p1;
        double below = Math.sqrt(Math.pow(p2 - b2[0], 2) + Math.pow(b1[1] - p1, 2));
        double above = Math.sqrt(Math.pow(b2[1] - p2, 2) + Math.pow(p1 - b1[0], 2));
        return Math.max(below, above);
    }

    /** The Wilson score interval [lower, upper] of a share p of n, as a statistics text writes it. */
    private static double[] wilson(double p, long n) {
        double z = 1.96;
        double centre = (p + z * z / (2.0 * n)) / (1 + z * z / n);
        return new double[] {Math.max(0, centre - margin(p, n)), Math.min(1, centre + margin(p, n))};
    }

    @Test
    void aFivePercentShareOf199SamplesIsAboutThreePointsEitherWay() {
        assertThat(Margins.share(0.05, 199)).isCloseTo(0.0312, within(0.0001));
        assertThat(Margins.share(0.5, 100)).isCloseTo(0.0962, within(0.0001));
        // a share nobody saw is not certain: 0 of 199 samples is about one point either way, not zero
        assertThat(Margins.share(0.0, 199)).isCloseTo(0.0095, within(0.0001));
        assertThat(Margins.share(0.05, 0)).isNaN();
    }

    /**
     * The two real apiserver profiles compared idle -> loaded, with each side's sample count as
     * go tool pprof counts it (the n every margin is checked against).
     */
    record RealPair(long n1, long n2, Comparison comparison) {
        static RealPair load() throws Exception {
            var idleFile = ProfileMetaTest.pprof("kubeapiserver_alone_cpu_profile.pb");
            var loadFile = ProfileMetaTest.pprof("kubeapiserver_cpu_profile.pb");
            return new RealPair(ProfileMetaTest.goToolPprof(idleFile).samples(), ProfileMetaTest.goToolPprof(loadFile).samples(),
                    Analyzer.withDefaults().compare(ProfileLoader.create().load(idleFile), ProfileLoader.create().load(loadFile)));
        }
    }

    @Test
    void theRealIdleAndLoadedProfilesCompareWithAMarginOnEveryShareAndDelta() throws Exception {
        RealPair pair = RealPair.load();
        long n1 = pair.n1();
        long n2 = pair.n2();
        Comparison c = pair.comparison();
        assertThat(c.before().samples()).isEqualTo(n1);
        assertThat(c.after().samples()).isEqualTo(n2);

        JsonNode j = new ObjectMapper().readTree(c.toJson());
        assertThat(j.get("before").get("samples").asLong()).isEqualTo(n1);
        assertThat(j.get("after").get("samples").asLong()).isEqualTo(n2);
        int noise = 0;
        int real = 0;
        for (JsonNode cat : j.get("categories")) {
            double p1 = cat.get("exclusiveBefore").asDouble();
            double p2 = cat.get("exclusiveAfter").asDouble();
            assertThat(cat.get("exclusiveBeforeMargin").asDouble()).as(cat.toString()).isCloseTo(margin(p1, n1), within(1e-4));
            assertThat(cat.get("exclusiveAfterMargin").asDouble()).isCloseTo(margin(p2, n2), within(1e-4));
            double dm = deltaMargin(p1, n1, p2, n2);
            assertThat(cat.get("exclusiveDeltaMargin").asDouble()).isCloseTo(dm, within(1e-4));
            boolean inNoise = p2 == p1 || Math.abs(p2 - p1) < dm; // no change at all is noise too
            assertThat(cat.get("exclusiveInNoise").asBoolean()).as(cat.get("name").asText()).isEqualTo(inNoise);
            if (inNoise) {
                noise++;
            } else {
                real++;
            }
        }
        assertThat(noise).as("most changes of two 30 s profiles of ~200 samples are noise").isGreaterThan(5);
        assertThat(real).as("authorization 3.5% -> 0.5% is not").isGreaterThanOrEqualTo(1);

        // the text: each side's samples, the CPU change, margins, noise marked
        String text = c.toText();
        assertThat(text).contains("before: " + n1 + " samples, 1.72 s CPU in 30.00 s")
                .contains("after:  " + n2 + " samples, 1.99 s CPU in 30.06 s")
                .contains("CPU: 1.72 s -> 1.99 s (+270 ms)");
        Comparison.CategoryChange authz = c.category("authorization").orElseThrow();
        String expected = String.format(Locale.ROOT, "%.1f%% \u00b1%.1f    %.1f%% \u00b1%.1f    %+.1fpp \u00b1%.1f",
                authz.exclusive().before() * 100, margin(authz.exclusive().before(), n1) * 100, authz.exclusive().after() * 100,
                margin(authz.exclusive().after(), n2) * 100, (authz.exclusive().after() - authz.exclusive().before()) * 100,
                deltaMargin(authz.exclusive().before(), n1, authz.exclusive().after(), n2) * 100);
        assertThat(text).contains(expected);
        assertThat(c.warnings()).isEmpty();

        // grew most: ranked by z, recomputed here
        List<Comparison.FunctionChange> grew = c.grewMost();
        assertThat(grew).isNotEmpty();
        double last = Double.POSITIVE_INFINITY;
        for (Comparison.FunctionChange f : grew) {
            double z = (f.self().after() - f.self().before()) / (deltaMargin(f.self().before(), n1, f.self().after(), n2) / 1.96);
            assertThat(f.self().z()).isCloseTo(z, within(1e-3));
            assertThat(z).isLessThanOrEqualTo(last + 1e-9);
            last = z;
        }
    }

    /**
     * A category nobody saw on either side is no certain "no change": the margin is the larger half of
     * Newcombe's hybrid score interval, for two zeros the Wilson upper bounds of 0 of n (z^2 / (n + z^2)),
     * computed here by hand: 0 of 199 against 0 of 172 samples is +0.0 pp ±2.2; 0 of 199 against all of
     * 172 is +100 pp with the two bounds' root sum of squares.
     */
    @Test
    void twoSharesOfZeroAreNoCertainNoChange() {
        double z2 = 1.96 * 1.96;
        double u199 = z2 / (199 + z2);
        double u172 = z2 / (172 + z2);
        assertThat(Margins.delta(0, 199, 0, 172)).isCloseTo(Math.max(u199, u172), within(1e-4)).isCloseTo(0.0218, within(1e-4));
        assertThat(Margins.delta(1, 199, 1, 172)).isCloseTo(Math.max(u199, u172), within(1e-4));
        assertThat(Margins.delta(0, 199, 1, 172)).isCloseTo(Math.sqrt(u199 * u199 + u172 * u172), within(1e-4));
        assertThat(Margins.inNoise(0, 199, 0, 172)).isTrue();
        // elsewhere the normal approximation, as before
        assertThat(Margins.delta(0.1, 1000, 0.13, 1000)).isCloseTo(deltaMargin(0.1, 1000, 0.13, 1000), within(1e-4));
        FoldedProfile before = AnalyzerTest.folded("main;A 0\nmain;rest 199\n");
        FoldedProfile after = AnalyzerTest.folded("main;A 0\nmain;rest 172\n");
        Comparison c = Analyzer.withDefaults().compare(before, after);
        assertThat(c.category("gc").orElseThrow().exclusive().changeText()).isEqualTo("+0.0pp ±2.2 ~");
    }

    /**
     * A side that saw none of a category gives the normal approximation no spread for it: 0 of 15 samples
     * (an idle etcd recorded for 8 s) against 143 of 1602 (loaded) was +8.9pp ±1.4, a change claimed to
     * 1.4 points although the idle share alone is 0.0% ±10.2. Newcombe's interval counts the idle side's
     * Wilson upper bound (3.84 / 18.84 = 20.4 %), so the change is inside the noise.
     */
    @Test
    void aZeroShareOfFewSamplesIsNotTakenAsCertain() {
        double z2 = 1.96 * 1.96;
        double u15 = z2 / (15 + z2);
        double p2 = 143.0 / 1602;
        double lower2 = wilson(p2, 1602)[0];
        assertThat(Margins.delta(0, 15, p2, 1602)).isCloseTo(Math.hypot(p2 - lower2, u15), within(1e-4))
                .isGreaterThan(0.20);
        assertThat(Margins.inNoise(0, 15, p2, 1602)).isTrue();
        assertThat(Math.abs(Margins.z(0, 15, p2, 1602))).isLessThan(1.96);
        FoldedProfile before = AnalyzerTest.folded("main;rest 15\n");
        FoldedProfile after = AnalyzerTest.folded("main;runtime.gcBgMarkWorker 143\nmain;rest 1459\n");
        Comparison c = Analyzer.withDefaults().compare(before, after);
        assertThat(c.category("gc").orElseThrow().exclusive().changeText()).isEqualTo("+8.9pp ±20.4 ~");
        // with spread on both sides, the normal approximation as before: 3 of 15 against 143 of 1602
        assertThat(Margins.delta(0.2, 15, p2, 1602)).isCloseTo(1.96 * Math.sqrt(0.2 * 0.8 / 15 + p2 * (1 - p2) / 1602), within(1e-3));
    }

    @Test
    void grewMostRanksBySignificanceNotByRawPoints() {
        // A: 0 -> 20 of 1000 (+2 pp, z 4.1 by Newcombe's margin); B: 100 -> 130 of 1000 (+3 pp, z 2.1)
        FoldedProfile before = AnalyzerTest.folded("main;A 0\nmain;B 100\nmain;rest 900\n");
        FoldedProfile after = AnalyzerTest.folded("main;A 20\nmain;B 130\nmain;rest 850\n");
        Comparison c = Analyzer.withDefaults().compare(before, after);
        assertThat(c.grewMost()).extracting(Comparison.FunctionChange::name).startsWith("A", "B");
        assertThat(c.grewMost().get(0).self().z()).isCloseTo(0.02 / (deltaMargin(0, 1000, 0.02, 1000) / 1.96), within(1e-3));
        assertThat(c.function("B").self().deltaMargin()).isCloseTo(deltaMargin(0.1, 1000, 0.13, 1000), within(1e-5));
        assertThat(c.function("B").self().inNoise()).isFalse();
    }

    @Test
    void aSideWithTooFewSamplesIsWarnedAboutPlainly() throws Exception {
        FoldedProfile few = AnalyzerTest.folded("main;A 30\nmain;B 16\n");
        FoldedProfile many = AnalyzerTest.folded("main;A 300\nmain;B 160\n");
        Comparison c = Analyzer.withDefaults().compare(few, many);
        assertThat(c.warnings()).hasSize(1);
        // not "too few to conclude anything": a change beyond its margin still stands (9 of 15 idle etcd
        // samples in go-scheduler against 280 of 1602 loaded is -42.5pp ±24.9, no ~), so the warning says
        // which changes stand rather than contradicting the table
        assertThat(c.warnings().get(0)).startsWith("before has only 46 samples: too few for small changes")
                .contains("only the changes not marked ~ stand").doesNotContain("anything");
        Comparison etcd = Analyzer.withDefaults().compare(AnalyzerTest.folded("main;runtime.schedule 9\nmain;x 6\n"),
                AnalyzerTest.folded("main;runtime.schedule 280\nmain;x 1322\n"));
        assertThat(etcd.category("go-scheduler").orElseThrow().exclusive().inNoise()).isFalse();
        assertThat(etcd.warnings().get(0)).doesNotContain("anything");
        assertThat(c.toText()).contains("warning: before has only 46 samples");
        assertThat(new ObjectMapper().readTree(c.toJson()).get("warnings").get(0).asText()).contains("46 samples");
    }

    /**
     * compare's text prints each side's inclusive share with its margin (watch-cache 10.5% ±4.6 -> 13.1% ±4.7
     * on the real profiles), but compare.json had only the exclusive side margins: the inclusive ones the text
     * states were in no key. Recounted with Wilson's formula and go tool pprof's n.
     */
    @Test
    void compareJsonHoldsTheInclusiveSideMarginsTheTextPrints() throws Exception {
        RealPair pair = RealPair.load();
        long n1 = pair.n1();
        long n2 = pair.n2();
        Comparison c = pair.comparison();
        String text = c.toText();
        JsonNode j = new ObjectMapper().readTree(c.toJson());
        for (JsonNode cat : j.get("categories")) {
            String name = cat.get("name").asText();
            assertThat(cat.get("inclusiveBeforeMargin")).as(name).isNotNull();
            double p1 = cat.get("inclusiveBefore").asDouble();
            double p2 = cat.get("inclusiveAfter").asDouble();
            assertThat(cat.get("inclusiveBeforeMargin").asDouble()).as(name).isCloseTo(margin(p1, n1), within(1e-4));
            assertThat(cat.get("inclusiveAfterMargin").asDouble()).as(name).isCloseTo(margin(p2, n2), within(1e-4));
            String line = text.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
            assertThat(line).contains(String.format(Locale.ROOT, "%.1f%% \u00b1%.1f", 100 * p1, 100 * margin(p1, n1)));
        }
    }
}
