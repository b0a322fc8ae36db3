package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics}: the apiserver's request counts share each verb's CPU out by resource. */
class MetricsCliTest {
    @TempDir
    Path tmp;

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    static final String BEGIN = "# TYPE apiserver_request_total counter\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"leases\",subresource=\"\",verb=\"PUT\"} 100\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"pods\",subresource=\"\",verb=\"GET\"} 7\n";
    /** In the window: PUT leases 60, PUT configmaps 20; GET pods 10 (+ 2 with code 404), GET secrets 8. */
    static final String END = "# TYPE apiserver_request_total counter\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"leases\",subresource=\"\",verb=\"PUT\"} 160\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"configmaps\",subresource=\"\",verb=\"PUT\"} 20\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"pods\",subresource=\"\",verb=\"GET\"} 17\n"
            + "apiserver_request_total{code=\"404\",component=\"apiserver\",resource=\"pods\",subresource=\"\",verb=\"GET\"} 2\n"
            + "apiserver_request_total{code=\"200\",component=\"apiserver\",resource=\"secrets\",subresource=\"\",verb=\"GET\"} 8\n";

    Path pb;
    double put;
    double get;

    @BeforeEach
    void recount() throws Exception {
        pb = Shared.path("real/kube-apiserver-pprof/kubeapiserver_cpu_profile.pb");
        FoldedProfile p = ProfileLoader.create().load(pb);
        long u = 0;
        long g = 0;
        for (int i = 0; i < p.size(); i++) {
            String s = FoldedProfile.decode(p.stack(i));
            if (s.contains("handlers.UpdateResource")) {
                u += p.count(i);
            } else if (s.contains("handlers.GetResource") || s.contains("handlers.getResourceHandler")) {
                g += p.count(i);
            }
        }
        put = (double) u / p.total();
        get = (double) g / p.total();
        assertThat(u).isPositive();
        assertThat(g).isPositive();
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    @Test
    void analyzeSharesEachVerbOutByTheRequestDeltasOfTwoSnapshots() throws Exception {
        Path begin = Files.writeString(tmp.resolve("begin.txt"), BEGIN);
        Path end = Files.writeString(tmp.resolve("end.txt"), END);
        CliRun r = flame("analyze", "--metrics", begin.toString(), "--metrics", end.toString(), pb.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("PUT leases " + pct(put * 60 / 80) + " ±")
                .contains("of CPU (est. from 60 of 80 PUT requests, /metrics)")
                .contains("PUT configmaps " + pct(put * 20 / 80) + " ±")
                .contains("GET pods " + pct(get * 12 / 20) + " ±").contains("(est. from 12 of 20 GET requests, /metrics)")
                .contains("GET secrets " + pct(get * 8 / 20) + " ±")
                .contains("in proportion to their requests")
                .contains("Not attributable to an API call:");
        CliRun json = flame("analyze", "--json", "--metrics", begin.toString(), "--metrics", end.toString(), pb.toString());
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode rm = new ObjectMapper().readTree(json.out()).get("requestMetrics");
        assertThat(rm.get("requests").asDouble()).isEqualTo(100);
        double sumGet = 0;
        for (JsonNode e : rm.get("estimates")) {
            if (e.get("verb").asText().equals("GET")) {
                sumGet += e.get("share").asDouble();
            }
            if (e.get("resource").asText().equals("secrets")) {
                assertThat(e.get("share").asDouble()).isCloseTo(get * 8 / 20, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        assertThat(sumGet).isCloseTo(get, org.assertj.core.data.Offset.offset(1e-12));
        // one saved copy: its counts from zero
        CliRun one = flame("analyze", "--metrics", end.toString(), pb.toString());
        assertThat(one.out()).contains("(est. from 160 of 180 PUT requests, /metrics)");
    }

    @Test
    void garbageMetricsIsExitTwoWithOneLineNamingFileAndLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("m.txt"), BEGIN + "apiserver_request_total{verb=\"GET\",resource=\"pods\" 3\n");
        CliRun r = flame("analyze", "--metrics", bad.toString(), pb.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).startsWith("flame: " + bad + ":4: expected ',' or '}' after the value of label 'resource'")
                .doesNotContain("\n").doesNotContain("Exception");
        CliRun three = flame("analyze", "--metrics", bad.toString(), "--metrics", bad.toString(), "--metrics", bad.toString(),
                pb.toString());
        assertThat(three.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(three.err()).contains("--metrics takes one or two values");
    }

    @Test
    void profileReadsALiveMetricsUrlBeforeAndAfterTheRecording() throws Exception {
        byte[] real = Files.readAllBytes(pb);
        AtomicInteger metricsCalls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/pprof/profile", ex -> {
            ex.sendResponseHeaders(200, real.length);
            ex.getResponseBody().write(real);
            ex.close();
        });
        server.createContext("/metrics", ex -> {
            byte[] body = (metricsCalls.getAndIncrement() == 0 ? BEGIN : END).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path out = tmp.resolve("results");
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            CliRun r = flame("profile", "--pprof=" + base + "/debug/pprof/profile", "--metrics", base + "/metrics",
                    "--duration", "1s", "--output-dir", out.toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(metricsCalls.get()).isEqualTo(2);
            assertThat(r.err()).contains("metrics: 100 API requests in the window");
            String md = Files.readString(out.resolve("report.md"));
            assertThat(md).contains("PUT leases " + pct(put * 60 / 80) + " ±").contains("GET secrets " + pct(get * 8 / 20) + " ±");
            JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
            JsonNode est = j.get("requestMetrics").get("estimates");
            double sumPut = 0;
            for (JsonNode e : est) {
                if (e.get("verb").asText().equals("PUT")) {
                    sumPut += e.get("share").asDouble();
                }
            }
            assertThat(sumPut).isCloseTo(put, org.assertj.core.data.Offset.offset(1e-9));
        } finally {
            server.stop(0);
        }
    }
}
