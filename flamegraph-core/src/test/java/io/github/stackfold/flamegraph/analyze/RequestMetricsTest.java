package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/**
 * The apiserver's request counts against the real kube-apiserver profile: each verb's CPU (counted
 * here again from the stacks, by the handler frames) shared out over the resources by the request
 * deltas written in the test.
 */
class RequestMetricsTest {
    static final String BEGIN = """
            # HELP apiserver_request_total [STABLE] Counter of apiserver requests
            # TYPE apiserver_request_total counter
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="PUT",version="v1"} 10
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="cluster",subresource="status",verb="PATCH",version="v1"} 4
            # HELP apiserver_response_sizes_sum irrelevant here
            # TYPE apiserver_response_sizes_sum counter
            apiserver_response_sizes_sum{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="GET",version="v1"} 1000
            process_cpu_seconds_total 12.5
            """;

    /** PUT leases +35 (two codes), PUT nodes +10, GET pods +3, GET nodes +1, LIST pods +100, PATCH nodes/status +0. */
    static final String END = """
            # TYPE apiserver_request_total counter
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="PUT",version="v1"} 40
            apiserver_request_total{code="409",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="namespace",subresource="",verb="PUT",version="v1"} 5
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="cluster",subresource="",verb="PUT",version="v1"} 10
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="GET",version="v1"} 3 1733571000000
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="cluster",subresource="",verb="GET",version="v1"} 1
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 1.0e+02
            apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="cluster",subresource="status",verb="PATCH",version="v1"} 4
            apiserver_response_sizes_sum{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="GET",version="v1"} 7000
            apiserver_response_sizes_sum{component="apiserver",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 2.5e+06
            """;

    static RequestMetrics.Snapshot parse(String text, String name) throws IOException {
        return RequestMetrics.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), name);
    }

    @Test
    void deltasSumOverTheOtherLabels() throws IOException {
        RequestMetrics m = RequestMetrics.between(parse(BEGIN, "begin.txt"), parse(END, "end.txt"));
        assertThat(m.source()).isEqualTo("begin.txt .. end.txt");
        assertThat(m.count("PUT")).isEqualTo(45);
        assertThat(m.count("GET")).isEqualTo(4);
        assertThat(m.count("LIST")).isEqualTo(100);
        assertThat(m.count("PATCH")).isZero(); // 4 -> 4: no request in the window
        assertThat(m.ofVerb("PUT")).extracting(RequestMetrics.Requests::resource, RequestMetrics.Requests::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("leases", 35.0),
                        org.assertj.core.groups.Tuple.tuple("nodes", 10.0));
        assertThat(m.ofVerb("GET")).filteredOn(r -> r.resource().equals("pods")).singleElement()
                .extracting(RequestMetrics.Requests::responseBytes).isEqualTo(6000.0);
        // one snapshot: from zero
        assertThat(RequestMetrics.of(parse(BEGIN, "b")).count("PATCH")).isEqualTo(4);
        assertThat(RequestMetrics.of(parse(BEGIN, "b")).ofVerb("PATCH").get(0).resource()).isEqualTo("nodes/status");
    }

    @Test
    void eachVerbsCpuIsSharedOutByRequestsOnTheRealProfile() throws IOException {
        Path pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        FoldedProfile cpu = PprofReader.create().read(pb).folded();
        long samples = PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(pb).folded().total();
        // recount: the weight of the stacks through each verb's handler frames
        long put = 0;
        long get = 0;
        for (int i = 0; i < cpu.size(); i++) {
            String s = FoldedProfile.decode(cpu.stack(i));
            if (s.contains("handlers.UpdateResource") || s.contains("endpoints.restfulUpdateResource")) {
                put += cpu.count(i);
            } else if (s.contains("handlers.GetResource") || s.contains("endpoints.restfulGetResource")
                    || s.contains("handlers.getResourceHandler")) {
                get += cpu.count(i);
            }
        }
        assertThat(put).as("the real profile has update handlers").isPositive();
        assertThat(get).as("the real profile has get handlers").isPositive();
        double putShare = (double) put / cpu.total();
        double getShare = (double) get / cpu.total();

        Report r = Analyzer.withDefaults().analyze(cpu, samples);
        RequestMetrics m = RequestMetrics.between(parse(BEGIN, "begin.txt"), parse(END, "end.txt"));
        String text = Answers.of(r, null).withRequests(m).toText();

        assertThat(text).contains(line("PUT leases", putShare * 35 / 45, wilson(putShare, samples) * 35 / 45, 35, 45, "PUT"));
        assertThat(text).contains(line("PUT nodes", putShare * 10 / 45, wilson(putShare, samples) * 10 / 45, 10, 45, "PUT"));
        assertThat(text).contains(line("GET pods", getShare * 3 / 4, wilson(getShare, samples) * 3 / 4, 3, 4, "GET")
                .replace(", /metrics)", ", 6.0 kB of responses, /metrics)"));
        assertThat(text).contains(line("GET nodes", getShare / 4, wilson(getShare, samples) / 4, 1, 4, "GET"));
        // LIST: requests but no CPU in a list handler in this profile; 0 of 199 is still ±0.9 (Wilson)
        assertThat(text).contains("LIST pods 0.0% ±0.9 of CPU (est. from 100 of 100 LIST requests, 2.5 MB of responses, /metrics)");
        assertThat(text).contains("in proportion to their requests").contains("begin.txt .. end.txt, 149 requests in the window");
        // the rest still named with its size
        assertThat(text).contains("Not attributable to an API call: ").contains("tls ").contains("watch fan-out ");
    }

    private static String line(String call, double share, double margin, int n, int of, String verb) {
        return String.format(Locale.ROOT, "%s %.1f%% ±%.1f of CPU (est. from %d of %d %s requests, /metrics)", call,
                share * 100, margin * 100, n, of, verb);
    }

    /** The Wilson score interval's half-width at 95 %, written out again. */
    private static double wilson(double p, long n) {
        double z = 1.959963984540054;
        return z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
    }

    @Test
    void garbageIsOneLineNamingTheFileTheLineAndWhatWasExpected() {
        assertThatThrownBy(() -> parse("# TYPE x counter\nx{verb=\"GET\" resource=\"pods\"} 1\n", "m.txt"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("m.txt:2: expected ',' or '}' after the value of label 'verb' at column 14")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> parse("apiserver_request_total{verb=\"GET\",resource=\"pods\"} many\n", "m.txt"))
                .hasMessageStartingWith("m.txt:1: expected a number (the sample's value) at column 53, found 'many'");
        assertThatThrownBy(() -> parse("# TYPE apiserver_request_total countr\n", "m.txt"))
                .hasMessageStartingWith("m.txt:1: expected a metric type");
        assertThatThrownBy(() -> parse("<html><body>Forbidden</body></html>\n", "m.txt"))
                .hasMessageStartingWith("m.txt:1: expected a metric name");
        assertThatThrownBy(() -> parse("apiserver_request_total{code=\"200\"} 3\n", "m.txt"))
                .hasMessageStartingWith("m.txt:1: apiserver_request_total without a verb label");
        assertThatThrownBy(() -> parse("go_goroutines 12\n", "m.txt"))
                .hasMessage("m.txt: no apiserver_request_total series: expected the kube-apiserver's /metrics (Prometheus text format)");
        assertThatThrownBy(() -> parse("", "m.txt")).hasMessageEndingWith("got an empty input");
    }

    @Test
    void escapesAndCounterResets() throws IOException {
        RequestMetrics.Snapshot a = parse("apiserver_request_total{verb=\"GET\",resource=\"a\\\"b\\\\c\"} 50\n", "a");
        RequestMetrics.Snapshot b = parse("apiserver_request_total{verb=\"GET\",resource=\"a\\\"b\\\\c\",} 7\n", "b");
        RequestMetrics m = RequestMetrics.between(a, b);
        assertThat(m.requests()).singleElement().satisfies(q -> {
            assertThat(q.resource()).isEqualTo("a\"b\\c");
            assertThat(q.count()).isEqualTo(7); // went down: a restart, counted from zero
        });
    }
}
