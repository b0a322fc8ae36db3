package io.github.stackfold.examples;

import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.analyze.Analyzer;
import io.github.stackfold.flamegraph.analyze.Comparison;
import io.github.stackfold.flamegraph.analyze.Rules;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.perf.PerfRecorder;
import io.github.stackfold.perf.RecordOptions;
import io.github.stackfold.perf.Recording;
import io.github.stackfold.testing.EtcdServer;
import io.github.stackfold.testing.PerfRuns;
import io.github.stackfold.testing.Shared;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The README's test-harness lines (Library section), as written there, on real etcd and real apiserver profiles. */
class LibraryAssertionsExampleTest {

    /** Records etcd under etcdctl load as root with perf (-e cpu-clock) and asserts on the profile. */
    @Test
    void readmeRecordingLinesPassOnALoadedEtcd() throws Exception {
        PerfRuns.requirePerf();
        try (EtcdServer etcd = EtcdServer.start()) {
            etcd.load(2, 100_000, 8);
            Recording r = PerfRecorder.create(RecordOptions.builder().pid(etcd.pid())   // perf record -e cpu-clock
                    .frequency(999).duration(Duration.ofSeconds(5)).build()).record();
            assertThat(r.profile()).function("go.etcd.io/etcd/etcdserver.(*EtcdServer).Put").isInProfile();   // etcd 3.4
            assertThat(r.profile()).withRules(Rules.builtIn("etcd")).category("disk-sync").inclusiveShare().isLessThan(0.20);
            // the same profile fails an impossible bound, with the share in percent, its margin and samples
            assertThatThrownBy(() -> assertThat(r.profile()).withRules(Rules.builtIn("etcd")).category("grpc")
                    .inclusiveShare().isGreaterThan(1.0))
                    .hasMessageMatching("(?s)\\[inclusive share of category grpc = \\d+\\.\\d% ±\\d+\\.\\d pp, 95 % margin "
                            + "\\(\\d+ samples; as a fraction of 1: 0\\.\\d{6}\\)\\].*");
        }
    }

    /** authentication's inclusive share of the two real apiserver profiles: 6 of 172, then 9 of 199 samples. */
    @Test
    void readmeComparisonLinePassesOnTheRealApiserverProfiles() throws Exception {
        Path alonePb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_alone_cpu_profile.pb");
        Path loadedPb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        ProfileLoader loader = ProfileLoader.create();
        Comparison c = Analyzer.withDefaults().compare(loader.load(alonePb), loader.load(loadedPb));
        assertThat(c).category("authentication").didNotGrowBy(0.02);   // the real apiserver profiles: +1.0 pp
        assertThatThrownBy(() -> assertThat(c).category("authentication").didNotGrowBy(0.01))
                .hasMessageContaining("3.5% ±2.9 pp, 95 % margin (172 samples) -> 4.5% ±3.0 pp, 95 % margin (199 samples): "
                        + "+1.0pp ±4.0 ~");
    }
}
