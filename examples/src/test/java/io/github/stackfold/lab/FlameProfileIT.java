package io.github.stackfold.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.testing.Shared;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flame profile} for real, with flame.jar as its own process: by PID against Debian's etcd (a
 * stripped Go server, as kube-apiserver is) and against the demo server, with the lab's load through a
 * stub kubectl (no cluster here), idle versus load, and from a pprof endpoint.
 */
class FlameProfileIT {

    @Test
    void profileByPidRecordsStrippedEtcdWithGoFramesNamed(@TempDir Path out) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(EtcdDemoTarget.available(), "etcd is not installed (apt-get install etcd-server)");
        try (EtcdDemoTarget etcd = EtcdDemoTarget.start(EtcdDemoTarget.DEBIAN_ETCD, Duration.ofSeconds(60))) {
            LoadRun load = etcd.startLoad(2, Duration.ofSeconds(20));
            FlameProcess.Result r = FlameProcess.run(List.of("profile", "--pid", Long.toString(etcd.pid()),
                    "--duration", "2s", "--output-dir", out.toString()), Map.of(), 180);
            load.finish();
            assertThat(r.code()).as(r.stderr()).isZero();
            FlameDemoIT.assertResults(out, r);
            assertThat(out.resolve("apiserver.folded")).as("etcd is not written as the apiserver").doesNotExist();
            String folded = Files.readString(out.resolve("etcd.folded"), StandardCharsets.ISO_8859_1);
            assertThat(folded).as("etcd's own Go frames, named from .gopclntab").contains("go.etcd.io/");
            assertThat(r.stdout().lines().findFirst().orElse("")).contains("PID " + etcd.pid());
        }
    }

    @Test
    void profileUnderStubKubectlLoadComparedWithIdleWritesDiffAndDeltas(@TempDir Path dir) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Path out = dir.resolve("results");
        Path log = dir.resolve("kubectl-calls.log");
        Path stub = dir.resolve("kubectl");
        // stub kubectl: there is no cluster here; it records its arguments and loads the demo server a bit
        Files.writeString(stub, "#!/bin/sh\n# stub kubectl for the test (no cluster)\necho \"$$ $*\" >> '" + log + "'\nsleep 0.1\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        Path rules = dir.resolve("demo-server.json");
        try (InputStream in = JvmDemoTarget.class.getResourceAsStream("demo-server.json")) {
            Files.copy(in, rules);
        }
        try (JvmDemoTarget server = JvmDemoTarget.start(Duration.ofMinutes(5), Duration.ofSeconds(120))) {
            LoadRun load = server.startLoad(1, Duration.ofSeconds(30));
            FlameProcess.Result r = FlameProcess.run(List.of("profile", "--pid", Long.toString(server.pid()),
                    "--duration", "2s", "-F", "499", "--load", "2", "--kubectl", stub.toString(), "--compare-idle",
                    "--rules", rules.toString(), "--output-dir", out.toString()), Map.of(), 180);
            load.finish();
            assertThat(r.code()).as(r.stderr()).isZero();
            FlameDemoIT.assertResults(out, r);
            FlameProcess.parseSvg(out.resolve("diff.svg"));
            assertThat(out.resolve("idle.folded")).isNotEmptyFile();
            JsonNode report = FlameProcess.json(out.resolve("report.json"));
            assertThat(report.path("idleComparison").path("categories").isArray()).isTrue();
            assertThat(report.path("source").path("idle").asText()).contains("idle");
            assertThat(Files.readString(out.resolve("report.md"))).contains("## Idle versus under load");
            List<String> calls = Files.readAllLines(log);
            assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c).endsWith(" get pods --all-namespaces"));
            assertThat(r.stderr()).contains("load: 2 kubectl clients: " + calls.size() + " calls ok");
            for (String c : calls) {
                long pid = Long.parseLong(c.substring(0, c.indexOf(' ')));
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stub kubectl " + pid).isFalse();
            }
        }
    }

    @Test
    void sigtermStopsTheRecordingEarlyAndStillWritesTheResultsWithExit130(@TempDir Path out) throws Exception {
        Shared.requireThat(FlameProcess.onPath("perf"), "perf is not installed (apt-get install linux-perf)");
        Shared.requireThat(EtcdDemoTarget.available(), "etcd is not installed (apt-get install etcd-server)");
        try (EtcdDemoTarget etcd = EtcdDemoTarget.start(EtcdDemoTarget.DEBIAN_ETCD, Duration.ofSeconds(60))) {
            LoadRun load = etcd.startLoad(2, Duration.ofSeconds(120));
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    FlameProcess.jar().toString(), "profile", "--pid", Long.toString(etcd.pid()), "--duration", "60s",
                    "--rules", "etcd", "--output-dir", out.toString());
            Process p = new ProcessBuilder(cmd).redirectOutput(out.resolveSibling(out.getFileName() + ".out").toFile())
                    .redirectError(out.resolveSibling(out.getFileName() + ".err").toFile()).start();
            try {
                p.getOutputStream().close();
                Path err = out.resolveSibling(out.getFileName() + ".err");
                long until = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < until && !(Files.exists(err) && Files.readString(err).contains("recording PID"))) {
                    Thread.sleep(200);
                }
                Thread.sleep(2500); // some samples first
                long t0 = System.nanoTime();
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                long stopSeconds = (System.nanoTime() - t0) / 1_000_000_000L;
                String stderr = Files.readString(err);
                assertThat(p.exitValue()).as(stderr).isEqualTo(130);
                assertThat(stopSeconds).as("ended long before the 60 s asked for").isLessThan(50);
                assertThat(out.resolve("flame.svg")).isNotEmptyFile();
                FlameProcess.parseSvg(out.resolve("flame.svg"));
                assertThat(FlameProcess.json(out.resolve("report.json")).path("source").path("description").asText())
                        .contains("stopped early");
                assertThat(FlameProcess.processesMentioning("-p " + etcd.pid() + " ")).as("perf on etcd").isEmpty();
            } finally {
                p.destroyForcibly();
                load.finish();
            }
        }
    }

    @Test
    void profileFromThePprofEndpointInsteadOfPerf(@TempDir Path out) throws Exception {
        Shared.requireThat(EtcdDemoTarget.available(), "etcd is not installed (apt-get install etcd-server)");
        try (EtcdDemoTarget etcd = EtcdDemoTarget.start(EtcdDemoTarget.DEBIAN_ETCD, Duration.ofSeconds(60))) {
            LoadRun load = etcd.startLoad(2, Duration.ofSeconds(15));
            FlameProcess.Result r = FlameProcess.run(List.of("profile", "--pprof", etcd.pprofUrl(),
                    "--duration", "2s", "--output-dir", out.toString()), Map.of(), 120);
            load.finish();
            assertThat(r.code()).as(r.stderr()).isZero();
            FlameDemoIT.assertResults(out, r);
            assertThat(r.stdout().lines().findFirst().orElse("")).contains("pprof");
            assertThat(Files.readString(out.resolve("etcd.folded"), StandardCharsets.ISO_8859_1)).contains("go.etcd.io/");
        }
    }
}
