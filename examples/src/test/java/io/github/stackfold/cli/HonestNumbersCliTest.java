package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileLoader;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The numbers the CLI prints for real profiles: samples and CPU, not nanoseconds called samples. */
class HonestNumbersCliTest {
    @TempDir
    Path tmp;

    static CliRun flame(String... args) {
        return CliRun.of(args);
    }

    private static Path pprof(String name) {
        return Shared.path("real/kube-apiserver-pprof/" + name);
    }

    @Test
    void flamegraphOfARealPprofProfileTitlesTheRootWithSamplesAndCpu() throws Exception {
        Path svg = tmp.resolve("f.svg");
        CliRun r = flame("flamegraph", "-o", svg.toString(), pprof("kubeapiserver_cpu_profile.pb").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(svg)).contains("<title>all (199 samples, 1.99 s CPU, 100%)</title>")
                .doesNotContain("1,990,000,000");
    }

    /**
     * Two CPU profiles in one graph keep their unit: 199 + 172 samples, 1.99 s + 1.72 s of CPU, not
     * 3,710,000,000 "samples"; a plain folded file with one of them is warned about (unlike units).
     */
    @Test
    void flamegraphAndHtmlOfTwoCpuProfilesKeepTheirUnitAndWarnOfUnlikeOnes() throws Exception {
        Path svg = tmp.resolve("two.svg");
        CliRun r = flame("flamegraph", "-o", svg.toString(), pprof("kubeapiserver_cpu_profile.pb").toString(),
                pprof("kubeapiserver_alone_cpu_profile.pb").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("warning");
        assertThat(Files.readString(svg)).contains("<title>all (371 samples, 3.71 s CPU, 100%)</title>")
                .doesNotContain("3,710,000,000");
        Path html = tmp.resolve("two.html");
        CliRun h = flame("html", "-o", html.toString(), pprof("kubeapiserver_cpu_profile.pb").toString(),
                pprof("kubeapiserver_alone_cpu_profile.pb").toString());
        assertThat(h.code()).as(h.err()).isZero();
        assertThat(h.err()).doesNotContain("warning");
        assertThat(Files.readString(html)).contains("\"countName\":\"ns\"");

        Path plain = tmp.resolve("plain.folded");
        Files.writeString(plain, "main;a 3\n");
        CliRun mixed = flame("flamegraph", "-o", tmp.resolve("mixed.svg").toString(),
                pprof("kubeapiserver_cpu_profile.pb").toString(), plain.toString());
        assertThat(mixed.code()).as(mixed.err()).isZero();
        assertThat(mixed.err()).contains("flame: warning: " + plain + " counts samples, the inputs before it cpu-nanoseconds");
        CliRun mixedHtml = flame("html", "-o", tmp.resolve("mixed.html").toString(),
                pprof("kubeapiserver_cpu_profile.pb").toString(), plain.toString());
        assertThat(mixedHtml.err()).contains("flame: warning: " + plain + " counts samples");
    }

    @Test
    void compareOfFoldedFilesStackfoldWroteSaysSamplesNotPeriods() throws Exception {
        Path a = tmp.resolve("idle.folded");
        Path b = tmp.resolve("loaded.folded");
        for (String[] f : new String[][] {{"kubeapiserver_alone_cpu_profile.pb", a.toString()}, {"kubeapiserver_cpu_profile.pb", b.toString()}}) {
            FoldedProfile p = ProfileLoader.create().load(pprof(f[0]));
            try (OutputStream out = Files.newOutputStream(Path.of(f[1]))) {
                p.writeWithHeader(out);
            }
        }
        CliRun r = flame("compare", "--output-dir", tmp.resolve("cmp").toString(), a.toString(), b.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("before: 172 samples, 1.72 s CPU in 30.00 s").contains("after:  199 samples, 1.99 s CPU in 30.06 s")
                .contains("CPU: 1.72 s -> 1.99 s").contains("\u00b1");
        CliRun an = flame("analyze", b.toString());
        assertThat(an.out()).contains("199 samples, 1.99 s CPU in 30.06 s").doesNotContain("1990000000 samples");
    }

    /** A pprof CPU profile with its sample types and no sample: what an idle server may serve. */
    static byte[] emptyCpuProfile() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[][] strings = {new byte[0], "samples".getBytes(), "count".getBytes(), "cpu".getBytes(), "nanoseconds".getBytes()};
        o.writeBytes(new byte[] {0x0a, 4, 0x08, 1, 0x10, 2, 0x0a, 4, 0x08, 3, 0x10, 4}); // sample_type samples/count, cpu/nanoseconds
        for (byte[] s : strings) {
            o.write(0x32); // string_table
            o.write(s.length);
            o.writeBytes(s);
        }
        return o.toByteArray();
    }

    @Test
    void profilePprofStatesTheProfilesOwnDurationAndAnIdleRunOfNoSamplesStillWritesTheLoadRun() throws Exception {
        byte[] real = Files.readAllBytes(pprof("kubeapiserver_cpu_profile.pb"));
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/pprof/profile", ex -> {
            byte[] body = calls.getAndIncrement() == 0 ? emptyCpuProfile() : real;
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path out = tmp.resolve("results");
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/debug/pprof/profile";
            // the load's kubectl is a stub: /bin/true answers every 'get pods' at once (no cluster here)
            CliRun r = flame("profile", "--pprof=" + url, "--duration", "1s", "--compare-idle", "--kubectl", "/bin/true",
                    "--output-dir", out.toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out() + r.err()).contains("the idle run has 0 samples");
            String md = Files.readString(out.resolve("report.md"));
            assertThat(md).contains("30.06 s (asked for 1 s)").contains("Samples: 199 samples, 1.99 s CPU in 30.06 s")
                    .contains("## Answers");
            assertThat(Files.readAllLines(out.resolve("apiserver.folded")).get(0)).startsWith("# stackfold: samples=199 ");
            assertThat(out.resolve("idle.folded")).doesNotExist();
        } finally {
            server.stop(0);
        }
    }
}
