package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The text report shows short Go names; the JSON keeps the full ones; other profiles are unchanged. */
class ShortNamesInReportsTest {
    @Test
    void theTextReportOfTheRealApiserverProfileShowsShortGoNamesAndTheJsonFullOnes() throws Exception {
        FoldedProfile p = PprofReader.create().read(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb")).folded();
        Report r = Analyzer.withDefaults().analyze(p);
        String text = r.toText();
        String json = r.toJson();
        assertThat(r.topInclusive()).extracting(Report.FunctionShare::name).contains("net/http.(*conn).serve");
        assertThat(text).contains("  http.(*conn).serve\n").doesNotContain("net/http.(*conn).serve");
        assertThat(text).doesNotContain("k8s.io/apiserver/");
        assertThat(json).contains("\"net/http.(*conn).serve\"");
    }

    @Test
    void compareTextOfTheTwoRealApiserverProfilesShowsShortGoNamesAsAnalyzeDoes() throws Exception {
        PprofReader reader = PprofReader.create();
        FoldedProfile alone = reader.read(Shared.path("real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb")).folded();
        FoldedProfile loaded = reader.read(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb")).folded();
        Analyzer analyzer = Analyzer.withDefaults();
        Comparison c = Comparison.of(analyzer.analyze(alone), analyzer.analyze(loaded), 10);
        assertThat(c.grewMost()).extracting(Comparison.FunctionChange::name).contains("encoding/json.checkValid");
        assertThat(c.toText()).contains("  json.checkValid\n").doesNotContain("encoding/json.checkValid")
                .doesNotContain("golang.org/x/");
        assertThat(c.toJson()).contains("\"encoding/json.checkValid\"");
    }

    @Test
    void aProfileThatIsNotGoKeepsItsNames() throws Exception {
        String folded = "java;org.apache.kafka.clients.NetworkClient.poll;sun/nio/ch/EPoll.wait 5\n";
        FoldedProfile p = FoldedProfile.read(new ByteArrayInputStream(folded.getBytes(StandardCharsets.UTF_8)), "t");
        String text = Analyzer.withDefaults().analyze(p).toText();
        assertThat(text).contains("org.apache.kafka.clients.NetworkClient.poll").contains("sun/nio/ch/EPoll.wait");
    }
}
