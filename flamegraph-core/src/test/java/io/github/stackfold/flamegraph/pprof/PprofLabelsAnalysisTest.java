package io.github.stackfold.flamegraph.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Answers;
import io.github.stackfold.flamegraph.analyze.Report;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

/** pprof labels naming a request (verb, resource) come first for the API calls; stack frames next. */
class PprofLabelsAnalysisTest {
    static byte[] labelled() {
        return new ProtoWriter()
                .sampleType("samples", "count").sampleType("cpu", "nanoseconds")
                .function(1, "main.work")
                .function(2, "k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource.func1")
                .function(3, "k8s.io/api/coordination/v1.(*Lease).Marshal")
                .function(4, "k8s.io/apiserver/pkg/endpoints/handlers.GetResource.func1")
                .location(1, 0x1000, 1).location(2, 0x2000, 2).location(3, 0x3000, 3).location(4, 0x4000, 4)
                // labels name both: no handler frame needed
                .sample(new long[] {1}, new long[] {1, 10}, new Object[] {"verb", "LIST"}, new Object[] {"resource", "pods"})
                // the verb from the label, the resource from the stack
                .sample(new long[] {3, 2}, new long[] {2, 20}, new Object[] {"verb", "PUT"})
                // no label: the stack alone
                .sample(new long[] {4}, new long[] {1, 5}, new Object[] {"other", "x"})
                .sample(new long[] {1}, new long[] {1, 65})
                .build();
    }

    @Test
    void labelKeysAreListed() {
        assertThat(PprofReader.labelKeys(labelled(), "l.pb")).containsExactly("verb", "resource", "other");
    }

    @Test
    void theRealApiserverProfilesCarryNoLabels() throws Exception {
        byte[] real = Files.readAllBytes(Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb"));
        assertThat(PprofReader.labelKeys(real, "real.pb")).isEmpty();
    }

    @Test
    void labelsFirstStackFramesNext() {
        FoldedProfile f = PprofReader.create(PprofOptions.builder().tag(Analyzer.VERB_LABEL).tag(Analyzer.RESOURCE_LABEL).build())
                .read(labelled(), "l.pb").folded();
        Report r = Analyzer.withDefaults().analyze(f);
        assertThat(r.apiCalls()).extracting(Report.ApiCallShare::verb, Report.ApiCallShare::resource, Report.ApiCallShare::share)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("update", r.apiCalls().get(0).resource(), 0.2),
                        org.assertj.core.groups.Tuple.tuple("list", "pods", 0.1),
                        org.assertj.core.groups.Tuple.tuple("get", "?", 0.05));
        assertThat(r.apiCalls().get(0).resource()).contains("Lease");
        assertThat(r.apiCallsFromLabels()).isEqualTo(0.3);
        assertThat(r.apiCallsTotal()).isEqualTo(0.35);
        // the label frames are no code: no function, no path holds them
        assertThat(r.functions()).noneMatch(n -> n.startsWith("verb=") || n.startsWith("resource="));
        assertThat(r.hotPaths()).noneMatch(p -> p.stack().contains("verb="));
        assertThat(r.inclusiveShare("main.work")).isEqualTo(0.75);
        assertThat(Answers.of(r, null).toText())
                .contains("From the pprof labels verb and resource where a sample has them (30.0% ±");
    }
}
