package io.github.stackfold.flamegraph.assertions;

import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * A failing profile assertion states the share in percent with its 95 % margin and sample count, a
 * change in percentage points with its margin, and says when a function's name is in no profile.
 * Margins by hand ({@link io.github.stackfold.flamegraph.analyze.Margins}): a share's is Wilson's,
 * 1.96 / (1 + 1.96^2 / n) &middot; &radic;(p(1-p)/n + 1.96^2 / 4n^2); a change's 1.96 &middot; &radic;(p1(1-p1)/n1 + p2(1-p2)/n2).
 */
class AssertionMessagesTest {
    static final String AUTHN = "k8s.io/apiserver/pkg/authentication/request/x509.(*Authenticator).AuthenticateRequest";
    static final String SERVE = "net/http.HandlerFunc.ServeHTTP";

    // 200 samples, 10 in authentication (5 %, Wilson margin 3.11 pp; 100 % has 0.94 pp)
    final FoldedProfile profile = folded("main;" + SERVE + ";" + AUTHN + " 10\nmain;" + SERVE + ";main.work 190\n");
    // 100 samples, 1 in authentication (1 %, Wilson margin 2.64 pp)
    final FoldedProfile before = folded("main;" + SERVE + ";" + AUTHN + " 1\nmain;" + SERVE + ";main.work 99\n");

    static FoldedProfile folded(String text) {
        try {
            return FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aCategoryShareFailureStatesPercentMarginAndSamples() {
        assertThat(profile).category("authentication").inclusiveShare().isLessThan(0.051);
        assertThatThrownBy(() -> assertThat(profile).category("authentication").inclusiveShare().isLessThan(0.01))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("inclusive share of category authentication = 5.0% \u00b13.1 pp, 95 % margin (200 samples")
                .hasMessageContaining("as a fraction of 1: 0.050000");
        assertThatThrownBy(() -> assertThat(profile).category("authentication").exclusiveShare().isGreaterThan(0.5))
                .hasMessageContaining("exclusive share of category authentication = 5.0% \u00b13.1 pp");
    }

    @Test
    void aFunctionShareFailureStatesPercentMarginAndSamples() {
        assertThatThrownBy(() -> assertThat(profile).function(AUTHN).selfShare().isGreaterThan(0.06))
                .hasMessageContaining("self share of " + AUTHN + " = 5.0% \u00b13.1 pp, 95 % margin (200 samples");
        assertThatThrownBy(() -> assertThat(profile).function(SERVE).inclusiveShare().isLessThan(0.5))
                .hasMessageContaining("inclusive share of " + SERVE + " = 100.0% \u00b10.9 pp");
    }

    @Test
    void aMisspeltFunctionIsNotInTheProfileAndTheFailureNamesSimilarOnes() {
        assertThat(profile).function(SERVE).isInProfile();
        // the short name the text report shows
        assertThatThrownBy(() -> assertThat(profile).function("http.HandlerFunc.ServeHTTP").isInProfile())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected the profile to hold function <http.HandlerFunc.ServeHTTP>")
                .hasMessageContaining("200 samples").hasMessageContaining("similar: " + SERVE);
        assertThatThrownBy(() -> assertThat(profile).function("main.wrok").inclusiveShare().isGreaterThan(0.1))
                .hasMessageContaining("inclusive share of main.wrok (not in the profile) = 0.0%");
    }

    @Test
    void aComparisonFailureStatesBothSharesTheChangeAndTheirMargins() {
        Comparison c = Analyzer.withDefaults().compare(before, profile);
        assertThat(c).category("authentication").grewBy(0.04).didNotGrowBy(0.041);
        // change 4 pp: 1.96 * sqrt(0.01 * 0.99 / 100 + 0.05 * 0.95 / 200) = 3.6 pp
        assertThatThrownBy(() -> assertThat(c).category("authentication").didNotGrowBy(0.02))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to grow by less than 2.0 pp")
                .hasMessageContaining("1.0% \u00b12.6 pp, 95 % margin (100 samples) -> 5.0% \u00b13.1 pp, 95 % margin "
                        + "(200 samples): +4.0pp \u00b13.6");
        assertThatThrownBy(() -> assertThat(c).category("authentication").inclusiveDelta().isLessThan(0.0))
                .hasMessageContaining("change of the inclusive share of authentication = 1.0% \u00b12.6 pp")
                .hasMessageContaining("+4.0pp \u00b13.6");
        assertThatThrownBy(() -> assertThat(c).function("http.HandlerFunc.ServeHTTP").grewBy(0.01))
                .hasMessageContaining("<http.HandlerFunc.ServeHTTP> (in neither profile; similar: " + SERVE + ")");
    }

    /** The real kube-apiserver profile: 9 of its 199 samples are authentication's (4.5 % +-3.0 pp). */
    @Test
    void onTheRealApiserverProfileTheFailureStatesItsShare() throws Exception {
        FoldedProfile real = ProfileLoader.create().load(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"));
        assertThat(real).category("authentication").inclusiveShare().isLessThan(0.20);
        assertThatThrownBy(() -> assertThat(real).category("authentication").inclusiveShare().isLessThan(0.01))
                .hasMessageContaining("authentication = 4.5% \u00b13.0 pp, 95 % margin (199 samples");
    }
}
