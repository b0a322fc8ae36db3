package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.pprof.PprofOptions;
import io.github.stackfold.flamegraph.pprof.PprofReader;
import io.github.stackfold.testing.Shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd rules on a real etcd (Debian's /usr/bin/etcd) under a real write load: its own CPU
 * profile (Go's /debug/pprof/profile, so no perf is needed) classified by the analyzer and, again,
 * by the independent counter script.
 */
class EtcdProfileTest {

    @Test
    void etcdUnderWriteLoadIsClassifiedAsTheIndependentCounterClassifiesIt(@TempDir Path dir) throws Exception {
        Path etcd = Path.of("/usr/bin/etcd");
        Shared.requireThat(Files.isExecutable(etcd), "/usr/bin/etcd is not installed (CI installs etcd-server)");
        Path python = ApiserverProfilesTest.findOnPath("python3");
        Shared.requireThat(python != null, "python3 is not on the PATH (CI installs it)");
        int client = freePort();
        int peer = freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Process server = new ProcessBuilder(etcd.toString(), "--name", "t", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "t=" + peerUrl, "--enable-pprof")
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        byte[] pb;
        List<Thread> load = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong puts = new AtomicLong();
        try {
            waitHealthy(clientUrl, server);
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread th = new Thread(() -> putUntilStopped(clientUrl, id, stop, puts), "etcd-load-" + t);
                th.setDaemon(true);
                th.start();
                load.add(th);
            }
            HttpURLConnection c = open(clientUrl + "/debug/pprof/profile?seconds=2", 20_000);
            assertThat(c.getResponseCode()).isEqualTo(200);
            try (var in = c.getInputStream()) {
                pb = in.readAllBytes();
            }
        } finally {
            stop.set(true);
            for (Thread th : load) {
                th.join(5000);
            }
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        assertThat(puts.get()).as("puts made during the profile").isPositive();
        Path profile = dir.resolve("etcd-cpu.pb");
        Files.write(profile, pb);

        FoldedProfile folded = PprofReader.create().read(profile).folded();
        long samples = PprofReader.create(PprofOptions.builder().sampleType("samples").build()).read(profile).folded().total();
        Rules rules = Rules.builtIn("etcd");
        Report report = Analyzer.create(Analyzer.Options.of(rules)).analyze(folded, samples);

        Path script = Path.of(getClass().getResource("/analyze/pprof_shares.py").toURI());
        Path rulesFile = Path.of(Rules.class.getResource("etcd.json").toURI());
        Process p = new ProcessBuilder(python.toString(), script.toString(), profile.toString(), rulesFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        JsonNode expected;
        try {
            p.getOutputStream().close();
            expected = new ObjectMapper().readTree(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(report.samples()).isEqualTo(expected.get("samples").asLong()).isPositive();
        double classified = 0;
        for (Report.CategoryShare c : report.categories()) {
            JsonNode e = expected.get("categories").get(c.name());
            assertThat(c.exclusive()).as("exclusive %s", c.name()).isCloseTo(e.get("exclusive").asDouble(), within(1e-9));
            assertThat(c.inclusive()).as("inclusive %s", c.name()).isCloseTo(e.get("inclusive").asDouble(), within(1e-9));
            classified += c.exclusive();
        }
        assertThat(classified + report.unclassified()).isCloseTo(1.0, within(1e-9));
        System.out.println("etcd under load, " + report.samples() + " samples, " + puts.get() + " puts:\n" + report.toText());
    }

    static HttpURLConnection open(String url, int timeoutMillis) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(timeoutMillis);
        return c;
    }

    static void putUntilStopped(String url, int id, AtomicBoolean stop, AtomicLong puts) {
        Base64.Encoder b64 = Base64.getEncoder();
        String value = b64.encodeToString("v".repeat(512).getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; !stop.get(); i++) {
            String key = b64.encodeToString(("load/" + id + "/" + (i % 1000)).getBytes(StandardCharsets.US_ASCII));
            byte[] body = ("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}").getBytes(StandardCharsets.US_ASCII);
            try {
                HttpURLConnection c = open(url + "/v3/kv/put", 5000);
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                try (var out = c.getOutputStream()) {
                    out.write(body);
                }
                try (var in = c.getInputStream()) {
                    in.readAllBytes();
                }
                if (c.getResponseCode() == 200) {
                    puts.incrementAndGet();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    static void waitHealthy(String url, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertThat(server.isAlive()).as("etcd is running").isTrue();
            try {
                HttpURLConnection c = open(url + "/health", 2000);
                String body;
                try (var in = c.getInputStream()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (c.getResponseCode() == 200 && body.contains("true")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("etcd did not become healthy within 20 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
