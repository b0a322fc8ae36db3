package io.github.stackfold.flamegraph.assertions;

import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

/**
 * AssertJ-style assertions on profiles, for performance tests that guard CPU shares:
 *
 * <pre>
 * import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
 *
 * assertThat(profile).category("authorization").inclusiveShare().isLessThan(0.05);
 * assertThat(profile).withRules(Rules.builtIn("etcd")).category("disk-sync").exclusiveShare().isGreaterThan(0.01);
 * assertThat(profile).function("encoding/json.Marshal").isInProfile().inclusiveShare().isLessThan(0.10);
 * assertThat(analyzer.compare(idle, loaded)).function("k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1").grewBy(0.02);
 * </pre>
 *
 * Shares are fractions of 1 of the profile's total weight, counted as {@code flame analyze} counts
 * them; functions go by their full names ({@code net/http.HandlerFunc.ServeHTTP}). A failure states the
 * share in percent with its 95 % margin and sample count:
 *
 * <pre>
 * [inclusive share of category authentication = 4.5% ±3.0 pp, 95 % margin (199 samples; as a fraction of 1: 0.045226)]
 * Expecting actual:
 *   0.04522613065326633
 * to be less than:
 *   0.01
 * </pre>
 *
 * Needs assertj-core on the test class path (an optional dependency of flamegraph-core; on the module
 * path the test module {@code requires org.assertj.core}).
 */
public final class ProfileAssertions {
    private ProfileAssertions() {
    }

    /** Assertions on a profile, analyzed with the default (kube-apiserver) rules unless {@code withRules}. */
    public static ProfileAssert assertThat(FoldedProfile profile) {
        return new ProfileAssert(profile);
    }

    /** Assertions on an analysis already made. */
    public static ReportAssert assertThat(Report report) {
        return new ReportAssert(report);
    }

    /** Assertions on a comparison of two profiles (before / after). */
    public static ComparisonAssert assertThat(Comparison comparison) {
        return new ComparisonAssert(comparison);
    }
}
